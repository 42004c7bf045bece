import type { Server } from 'node:http';
import {
  formatError,
  IDENTITY_HEADER,
  remoteAddress,
  verifyIdentity,
  type Database,
  type Logger,
  type RequestContext,
  type RequestIdentity,
  type SubgraphConfig,
} from '@storegraph/common';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

export interface SubscriptionServerOptions<TContext extends RequestContext> {
  /** The subgraph's HTTP server: WebSocket upgrades on /graphql are taken here. */
  server: Server;
  schema: GraphQLSchema;
  config: SubgraphConfig;
  database: Database;
  logger: Logger;
  /** The same factory HTTP requests use, so resolvers see one context shape. */
  extendContext: (base: RequestContext) => TContext;
}

export interface SubscriptionServer {
  /** Closes every socket (each subscription's iterator is returned) and stops accepting. */
  close(): Promise<void>;
}

/** What one connection keeps between graphql-ws callbacks. */
type ConnectionExtra = { identity: RequestIdentity | null };

/**
 * graphql-ws (subprotocol graphql-transport-ws) on the subgraph's own /graphql path. The
 * gateway proves who the client is in connection_init, `{ "x-storegraph-identity": <the
 * signed assertion it sends as the HTTP header> }`; it is verified once per connection,
 * since the assertion lives seconds and the connection lives long. Missing or invalid:
 * anonymous, as over HTTP. Every subscription gets a context of its own.
 */
export function attachSubscriptionServer<TContext extends RequestContext>(
  options: SubscriptionServerOptions<TContext>,
): SubscriptionServer {
  const { config, database, logger } = options;
  const development = config.mode === 'development';
  const format = formatError(development);
  const wss = new WebSocketServer({ server: options.server, path: '/graphql' });
  const disposable = useServer<Record<string, unknown>, ConnectionExtra>(
    {
      schema: options.schema,
      isProd: !development,
      onConnect: (ctx) => {
        const assertion = ctx.connectionParams?.[IDENTITY_HEADER];
        ctx.extra.identity = verifyIdentity(config.gatewaySecret, typeof assertion === 'string' ? assertion : undefined);
        return true;
      },
      context: (ctx) =>
        options.extendContext({
          caller: ctx.extra.identity?.caller ?? null,
          clientIp: ctx.extra.identity?.clientIp ?? remoteAddress(ctx.extra.request),
          em: database.orm.em.fork(),
        }),
      // The same masking as Apollo's formatError over HTTP: only contract codes keep their text.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => present(error)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => present(error)),
    },
    wss,
  );

  function present(error: GraphQLError): GraphQLFormattedError {
    // Wrappers (graphql-js's located error, graphql-ws's mid-stream error) copy the
    // original's extensions, so the contract code is on the error itself.
    const formatted = error.toJSON();
    // No originalError: graphql-js rejected the document itself (validation), safe to show.
    if (!error.originalError) return formatted;
    if (!formatted.extensions?.code) logger.error('subscription failed', { err: error.originalError, path: error.path });
    return format(formatted);
  }

  return {
    close: async () => {
      await disposable.dispose();
    },
  };
}
