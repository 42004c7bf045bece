import type { Server } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import {
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  specifiedRules,
  validate,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '@storegraph/common';
import { clientAddress, type GatewayContext } from '../context';
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
  /** Validation rules beyond the spec's (the same limits as HTTP requests). */
  validationRules: ValidationRule[];
  /** With a safelist, only these operation texts are accepted (as over HTTP). */
  accepts: (query: string) => boolean;
  /** Counts each operation against the client address's request limit; the refusal, or null. */
  admitOperation?: (clientIp: string | null) => Promise<GraphQLError | null>;
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
export function attachWebSocketServer(options: GatewayWebSocketOptions): { close(): Promise<void>; sockets(): number } {
  const wss = new WebSocketServer({ server: options.server, path: '/graphql' });
  const format = (result: ExecutionResult): FormattedExecutionResult => {
    const errors = result.errors?.map((e) => options.formatError(e instanceof GraphQLError ? e.toJSON() : e));
    return errors ? { ...result, errors } : { data: result.data, extensions: result.extensions };
  };

  const disposable = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema: options.planner.schema,
      validate: (schema, document) => validate(schema, document, [...specifiedRules, ...options.validationRules]),
      onSubscribe: async (ctx, _id, payload) => {
        if (!options.accepts(payload.query)) return [notInList()];
        const refused = await options.admitOperation?.(ctx.extra.gatewayContext?.clientIp ?? null);
        return refused ? [refused] : undefined;
      },
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        try {
          const context = await options.resolveIdentity(
            typeof authorization === 'string' ? authorization : undefined,
            clientAddress(ctx.extra.request, options.trustProxy),
          );
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
        options.executor.subscribe({
          document: args.document,
          operationName: args.operationName ?? undefined,
          variables: (args.variableValues ?? {}) as Record<string, unknown>,
          context: args.contextValue as GatewayContext,
        }),
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
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
