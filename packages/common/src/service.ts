import type { IncomingMessage, Server } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import { EnvReader, type InfraConfig, type Mode, readDatabaseUrl, readInfra } from './config';
import { DEFAULT_DATABASE_TIMEOUTS, type Database, type DatabaseTimeouts } from './db';
import { isDatabaseUnavailable } from './db-unavailable';
import { formatError } from './errors';
import { close, createHttpApp, listen, remoteAddress } from './http';
import { IDENTITY_HEADER, type Caller, verifyIdentity } from './identity';
import { readKeyMaterial } from './keys';
import type { Logger } from './logger';
import { metricsFor } from './metrics';
import { firstRootField, operationMetricsPlugin } from './operation-metrics';
import { observeDatabase } from './db-metrics';

/** Settings every subgraph has; each subgraph's config.ts adds its own. */
export interface SubgraphConfig extends InfraConfig {
  mode: Mode;
  port: number;
  databaseUrl: string;
  databaseTimeouts: DatabaseTimeouts;
  /** DATABASE_POOL_MAX: connections this process may hold open to its database. */
  databasePoolMax: number;
  gatewaySecret: string;
  currency: string;
  /** NATS_STREAM_REPLICAS: how many JetStream servers keep each stream this subgraph declares. */
  natsStreamReplicas: number;
}

export function readSubgraphConfig(env: EnvReader, service: string, defaultPort: number): SubgraphConfig {
  const mode = env.mode();
  return {
    mode,
    port: env.int(`${service.toUpperCase()}_PORT`, defaultPort),
    databaseUrl: readDatabaseUrl(env, service),
    databaseTimeouts: {
      acquireMs: env.int('DATABASE_ACQUIRE_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.acquireMs, 100),
      statementMs: env.int('DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.statementMs, 100),
    },
    databasePoolMax: env.int('DATABASE_POOL_MAX', 10, 1),
    gatewaySecret: readKeyMaterial(env, mode, {}).gatewaySecret,
    currency: env.string('STORE_CURRENCY', 'USD'),
    natsStreamReplicas: env.int('NATS_STREAM_REPLICAS', 1, 1),
    ...readInfra(env),
  };
}

/** What every subgraph resolver receives. */
export interface RequestContext extends BaseContext {
  caller: Caller | null;
  clientIp: string | null;
  /** A fork per request: no identity map leaks between requests. */
  em: EntityManager;
}

export interface SubgraphServiceOptions<TContext extends RequestContext> {
  name: string;
  config: SubgraphConfig;
  schema: GraphQLSchema;
  database: Database;
  logger: Logger;
  /** Adds this subgraph's loaders and services to the base context. */
  extendContext: (base: RequestContext) => TContext;
  /** Extra readiness checks (Redis, NATS) beyond the database. */
  ready?: () => Promise<void>;
  /** Releases what the subgraph opened besides the database (Redis, consumers). */
  onStop?: () => Promise<void>;
}

export interface SubgraphService {
  server: Server;
  database: Database;
  listen(port?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Wraps a subgraph schema into a running service: Apollo with errors masked outside
 * development, identity taken only from a valid gateway assertion, /health, /ready and
 * /metrics. Every subgraph's app.ts calls this, so they all behave the same at the edges.
 */
export async function createSubgraphService<TContext extends RequestContext>(
  options: SubgraphServiceOptions<TContext>,
): Promise<SubgraphService> {
  const { config, database, logger } = options;
  const development = config.mode === 'development';
  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    introspection: development,
    includeStacktraceInErrorResponses: development,
    // No "Did you mean ...?" outside development; formatError cuts the ones Apollo's option misses.
    hideSchemaDetailsFromClientErrors: !development,
    formatError: formatError(development),
    logger: {
      debug: (m) => logger.debug(String(m)),
      info: (m) => logger.info(String(m)),
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
    plugins: [
      operationMetricsPlugin<TContext>({ service: options.name, label: firstRootField }),
      {
        async requestDidStart() {
          return {
            async didEncounterErrors({ errors }) {
              for (const error of errors) {
                if (isDatabaseUnavailable(error.originalError)) {
                  // Answered as SERVICE_UNAVAILABLE (formatError): an outage to watch, not a bug to trace.
                  logger.warn('database unavailable', { reason: error.originalError?.message, path: error.path });
                } else if (!error.extensions?.code || error.extensions.code === 'INTERNAL_SERVER_ERROR') {
                  logger.error('resolver failed', { err: error.originalError ?? error, path: error.path });
                }
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const contextFor = async (req: IncomingMessage): Promise<TContext> => {
    const header = req.headers[IDENTITY_HEADER];
    const identity = verifyIdentity(config.gatewaySecret, Array.isArray(header) ? header[0] : header);
    return options.extendContext({
      caller: identity?.caller ?? null,
      clientIp: identity?.clientIp ?? remoteAddress(req),
      em: database.orm.em.fork(),
    });
  };

  const metrics = metricsFor(options.name);
  const unobserve = observeDatabase(metrics, database);
  const server = createHttpApp<TContext>({
    apollo,
    service: options.name,
    logger,
    context: contextFor,
    ready: async () => {
      await database.orm.em.getConnection().execute('select 1');
      await options.ready?.();
    },
    metrics: () => metrics.text(),
  });

  return {
    server,
    database,
    listen: async (port = config.port) => {
      const url = await listen(server, port);
      logger.info('listening', { url });
      return url;
    },
    stop: async () => {
      await close(server);
      await apollo.stop();
      await options.onStop?.();
      unobserve();
      await database.close();
    },
  };
}
