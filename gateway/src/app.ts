import type { Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  AccessTokenVerifier,
  close,
  createHttpApp,
  createLogger,
  createRedis,
  JsonHttpClient,
  listen,
  type Logger,
  metricsFor,
  OperationNames,
  operationMetricsPlugin,
  unavailableStatusPlugin,
} from '@storegraph/common';
import type { GatewayConfig } from './config';
import { createContextFactory, createIdentityResolver, type GatewayContext } from './context';
import { gatewayFormatError } from './errors';
import { IdentityAssertions } from './identity-assertions';
import { IdentityDataSource, type ReadPath } from './identity-data-source';
import { CatalogInvalidations } from './read-path/invalidations';
import { PUBLIC_SURFACES } from './read-path/public-reads';
import { ReadCache } from './read-path/read-cache';
import { SharedReads } from './read-path/shared-reads';
import { OperationGuard, SocketLimits } from './limits';
import { manifestCache, readPersistedOperations, safelistPlugin, sha256 } from './persisted-operations';
import { ObservedDataSource, Refusals, watchLive } from './observability';
import { assertSubgraphsReady } from './readiness';
import { RequestRateLimit } from './request-rate-limit';
import { tokenRecoveryPlugin } from './token-recovery';
import { SubscriptionPlanner } from './subscriptions/planner';
import { SessionWatch } from './subscriptions/session-watch';
import { SubscriptionExecutor } from './subscriptions/subscription-executor';
import { attachWebSocketServer } from './subscriptions/ws-server';
import { readSupergraph, subgraphRoutes, type SubgraphRoute } from './supergraph-file';

export { readConfig, type GatewayConfig } from './config';
export type { GatewayContext } from './context';

export interface GatewayOverrides {
  /** Routing URL per subgraph name, over the config's and the supergraph's (tests). */
  subgraphUrls?: Record<string, string>;
  logger?: Logger;
}

export interface GatewayApp {
  server: Server;
  /** Live subscription state, for /metrics and tests. */
  live: { sockets(): number; subscriptions(): number; upstreamSubscriptions(): number; watchedSessions(): number };
  /** The read path's shared fetches and cache, per subgraph that has a public surface (tests, metrics). */
  reads: Map<string, ReadPath>;
  listen(port?: number): Promise<string>;
  stop(): Promise<void>;
}

function apolloLogger(logger: Logger) {
  return {
    debug: (message: unknown) => logger.debug(String(message)),
    info: (message: unknown) => logger.info(String(message)),
    warn: (message: unknown) => logger.warn(String(message)),
    error: (message: unknown) => logger.error(String(message)),
  };
}

/**
 * The gateway: Apollo Gateway over the committed supergraph file (static, so a start
 * never depends on the subgraphs answering), JWT verification in the context, and the
 * signed identity on every subgraph fetch. Builds and starts Apollo; never listens itself.
 */
export async function createApp(config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<GatewayApp> {
  const logger = overrides.logger ?? createLogger('gateway');
  const development = config.mode === 'development';
  const supergraphSdl = readSupergraph(config.supergraphPath);
  const urlOverrides: Record<string, string> = { ...config.subgraphUrls, ...overrides.subgraphUrls };
  const routes: SubgraphRoute[] = subgraphRoutes(supergraphSdl).map((route) => ({
    name: route.name,
    url: urlOverrides[route.name] ?? route.url,
  }));

  // The same data sources serve queries (through Apollo) and subscription events (through ours).
  const dataSources = new Map<string, ObservedDataSource>();
  const subgraphHttp = new JsonHttpClient();
  const assertions = new IdentityAssertions(config.gatewaySecret, config.identityAssertionTtlSeconds);
  // Catalog's public reads: shared in flight, cached until catalog announces a change.
  const readCache = config.readCache.enabled ? new ReadCache(config.readCache.ttlSeconds * 1000, config.readCache.maxEntries) : null;
  const anonymous = assertions.context({ caller: null, clientIp: null });
  const reads = new Map<string, ReadPath>();
  for (const [name, surface] of Object.entries(PUBLIC_SURFACES)) {
    reads.set(name, { reads: new SharedReads(name, surface, readCache), cache: readCache, anonymousHeader: anonymous.identityHeader });
  }
  const invalidations = readCache ? new CatalogInvalidations({ natsUrl: config.natsUrl, namespace: config.natsNamespace, cache: readCache, logger }) : null;
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger: apolloLogger(logger),
    buildService: ({ name, url }) => {
      const source = new ObservedDataSource(name, new IdentityDataSource(urlOverrides[name] ?? url, subgraphHttp, reads.get(name) ?? null));
      dataSources.set(name, source);
      return source;
    },
  });
  const safelist = config.persistedOperationsOnly ? readPersistedOperations(config.persistedOperationsPath) : null;
  // One set of operation limits for HTTP and WebSocket: Apollo takes its parts here, ws-server the rest.
  const guard = new OperationGuard(config.operationLimits);
  const refusals = new Refusals();
  const operationNames = new OperationNames();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    parseOptions: guard.parseOptions,
    validationRules: guard.validationRules,
    // With the safelist, a hash-only request is looked up in the manifest, never in a cache clients fill.
    ...(safelist ? { persistedQueries: { cache: manifestCache(safelist) } } : {}),
    introspection: development,
    includeStacktraceInErrorResponses: development,
    hideSchemaDetailsFromClientErrors: !development,
    formatError: gatewayFormatError(development),
    logger: apolloLogger(logger),
    plugins: [
      development
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      ...(safelist ? [safelistPlugin(safelist)] : []),
      unavailableStatusPlugin<GatewayContext>(),
      tokenRecoveryPlugin(),
      guard.plugin(),
      operationMetricsPlugin<GatewayContext>({ service: 'gateway', label: (name) => operationNames.label(name), onErrors: refusals.countErrors }),
    ],
  });

  // Before anything opens: a malformed key must fail the start without leaking connections.
  const verifier = await AccessTokenVerifier.fromPem(config.jwtPublicKeyPem);
  const redis = createRedis(config.redisUrl, config.redisPrefix);
  redis.on('error', (err: Error) => logger.warn('redis unavailable', { err }));
  let stopped = false;
  try {
    await apollo.start();
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  // apollo.start() resolves only once the gateway has loaded the supergraph; stop() unloads it.
  let supergraphLoaded = true;

  invalidations?.start();
  const identity = { verifier, redis, assertions, trustProxy: config.trustProxy };
  const rateLimit = new RequestRateLimit(redis, config.requestRateLimit, config.trustProxy);
  const metrics = metricsFor('gateway');
  const server = createHttpApp<GatewayContext>({
    apollo,
    service: 'gateway',
    logger,
    cors: true,
    maxBodyBytes: config.maxBodyBytes,
    admit: async (req) => {
      const refusal = await rateLimit.admit(req);
      if (refusal) refusals.count('request_rate');
      return refusal;
    },
    onTooLarge: () => refusals.count('max_body_bytes'),
    context: createContextFactory(identity),
    ready: async () => {
      if (!supergraphLoaded) throw new Error('supergraph not loaded');
      await assertSubgraphsReady(routes);
    },
    metrics: () => metrics.text(),
  });

  const planner = new SubscriptionPlanner(supergraphSdl);
  const executor = new SubscriptionExecutor({
    planner,
    dataSources,
    subgraphUrls: new Map(routes.map((route) => [route.name, route.url])),
    logger,
  });
  const sessions = new SessionWatch(redis, logger, {
    checkIntervalMs: config.revocationCheckMs,
    uncheckedCloseMs: config.revocationUncheckedCloseMs,
  });
  const socketLimits = new SocketLimits(config.webSocketLimits);
  socketLimits.onRefusal = (limit) => refusals.count(limit);
  const webSockets = attachWebSocketServer({
    server,
    apollo,
    planner,
    executor,
    sessions,
    resolveIdentity: createIdentityResolver(identity),
    formatError: gatewayFormatError(development),
    trustProxy: config.trustProxy,
    guard,
    socketLimits,
    accepts: (query) => safelist === null || safelist.has(sha256(query)),
    admitOperation: async (clientIp) => {
      const refused = await rateLimit.check(clientIp);
      if (refused) refusals.count('request_rate');
      return refused;
    },
    onRefusal: (limit) => refusals.count(limit),
    logger,
  });

  const live = {
    sockets: () => webSockets.sockets(),
    subscriptions: () => webSockets.subscriptions(),
    upstreamSubscriptions: () => executor.openUpstreams,
  };
  const unwatch = watchLive(live);

  return {
    server,
    live: {
      ...live,
      upstreamSubscriptions: () => executor.openUpstreams,
      watchedSessions: () => sessions.size,
    },
    reads,
    listen: async (port = config.port) => {
      const url = await listen(server, port);
      logger.info('listening', { url, mode: config.mode });
      return url;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      supergraphLoaded = false;
      sessions.stop();
      unwatch();
      await invalidations?.stop();
      await webSockets.close();
      await close(server);
      await apollo.stop();
      subgraphHttp.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
