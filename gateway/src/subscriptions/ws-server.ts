import type { Server } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import {
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '@storegraph/common';
import { clientAddress, type GatewayContext } from '../context';
import type { OperationGuard, SocketLimits } from '../limits';
import type { SubscriptionPlanner } from './planner';
import { CLOSE_REVOCATION_UNCHECKED, type SessionWatch } from './session-watch';
import type { SubscriptionExecutor } from './subscription-executor';
import { notInList } from '../persisted-operations';

export interface GatewayWebSocketOptions {
  server: Server;
  apollo: ApolloServer<GatewayContext>;
  planner: SubscriptionPlanner;
  executor: SubscriptionExecutor;
  sessions: SessionWatch;
  resolveIdentity: (authorization: string | undefined, clientIp: string | null) => Promise<GatewayContext>;
  /** The gateway's error formatter: the same masking as HTTP responses. */
  formatError: (error: GraphQLFormattedError) => GraphQLFormattedError;
  trustProxy: boolean;
  /** The operation limits of HTTP requests: the same parse, rules and cost check. */
  guard: OperationGuard;
  /** Message size, connection_init wait, subscriptions per socket, sockets per address and user. */
  socketLimits: SocketLimits;
  /** With a safelist, only these operation texts are accepted (as over HTTP). */
  accepts: (query: string) => boolean;
  /** Counts each operation against the client address's request limit; the refusal, or null. */
  admitOperation?: (clientIp: string | null) => Promise<GraphQLError | null>;
  /** Told the limit (its setting's name, lower case) whenever one refuses an operation, for /metrics. */
  onRefusal?: (limit: string) => void;
  logger: Logger;
}

type SocketExtra = {
  gatewayContext?: GatewayContext;
  unwatch?: () => void;
  [key: string]: unknown;
};

/**
 * graphql-ws on the gateway's own /graphql path. The connection_init payload's
 * `authorization` is checked exactly like the HTTP header (a bad token closes the
 * socket); subscriptions run through the SubscriptionExecutor, and queries or mutations
 * sent over the socket through Apollo, with the same identity.
 */
export function attachWebSocketServer(options: GatewayWebSocketOptions): { close(): Promise<void>; sockets(): number; subscriptions(): number } {
  const limits = options.socketLimits;
  let openSubscriptions = 0;
  // Client subscriptions open now, for /metrics: counted while their stream runs.
  async function* counted(results: AsyncGenerator<ExecutionResult>): AsyncGenerator<ExecutionResult> {
    openSubscriptions += 1;
    try {
      yield* results;
    } finally {
      openSubscriptions -= 1;
    }
  }
  const wss = new WebSocketServer({ server: options.server, path: '/graphql', maxPayload: limits.settings.maxMessageBytes });
  // Before graphql-ws's own listener: a socket over its address's limit is closed on arrival.
  wss.on('connection', (socket, request) => limits.admitAddress(socket, clientAddress(request, options.trustProxy)));
  const format = (result: ExecutionResult): FormattedExecutionResult => {
    const errors = result.errors?.map((e) => options.formatError(e instanceof GraphQLError ? e.toJSON() : e));
    return errors ? { ...result, errors } : { data: result.data, extensions: result.extensions };
  };

  const disposable = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema: options.planner.schema,
      connectionInitWaitTimeout: limits.settings.connectionInitTimeoutMs,
      onSubscribe: async (ctx, _id, payload) => {
        if (!options.accepts(payload.query)) return [notInList()];
        const refusal = limits.operationRefusal(Object.keys(ctx.subscriptions).length);
        if (refusal) {
          options.onRefusal?.('ws_max_subscriptions_per_socket');
          return refusal;
        }
        // Each operation over a socket counts against its address's request limit, as over HTTP.
        const refused = await options.admitOperation?.(ctx.extra.gatewayContext?.clientIp ?? null);
        if (refused) return [refused];
        return options.guard.prepare(options.planner.schema, payload);
      },
      // Refusals (limits, validation, a failed stream) are masked like every other error.
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => options.formatError(error.toJSON())),
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        try {
          const context = await options.resolveIdentity(
            typeof authorization === 'string' ? authorization : undefined,
            clientAddress(ctx.extra.request, options.trustProxy),
          );
          // Over the user's socket limit: closed with 4429 (the Forbidden that follows is ignored).
          if (context.caller && !limits.admitUser(ctx.extra.socket, context.caller.userId)) return false;
          const session = options.sessions.watch(context, (code, reason) => ctx.extra.socket.close(code, reason));
          ctx.extra.gatewayContext = session.context;
          ctx.extra.unwatch = session.stop;
          return true;
        } catch (err) {
          // Revocation cannot be checked right now: "try later", not "your token is bad".
          if (err instanceof GraphQLError && err.extensions.code === 'SERVICE_UNAVAILABLE') {
            ctx.extra.socket.close(CLOSE_REVOCATION_UNCHECKED, err.message);
          }
          // A bad token is refused at the door, as over HTTP: 4403 Forbidden.
          return false;
        }
      },
      onClose: (ctx) => ctx.extra.unwatch?.(),
      context: (ctx) => ctx.extra.gatewayContext as unknown as Record<string, unknown>,
      subscribe: (args: ExecutionArgs) =>
        counted(options.executor.subscribe({
          document: args.document,
          operationName: args.operationName ?? undefined,
          variables: (args.variableValues ?? {}) as Record<string, unknown>,
          context: args.contextValue as GatewayContext,
        })),
      execute: async (args: ExecutionArgs) => {
        const response = await options.apollo.executeOperation(
          { query: args.document, operationName: args.operationName ?? undefined, variables: args.variableValues ?? undefined },
          { contextValue: args.contextValue as GatewayContext },
        );
        return response.body.kind === 'single'
          ? (response.body.singleResult as ExecutionResult)
          : { errors: [new GraphQLError('Incremental delivery is not supported over WebSocket')] };
      },
      onNext: (_ctx, _id, _payload, _args, result) => format(result),
    },
    wss,
  );

  return {
    sockets: () => wss.clients.size,
    subscriptions: () => openSubscriptions,
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
