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
  listen,
  type Logger,
} from '@storegraph/common';
import type { GatewayConfig } from './config';
import { createContextFactory, type GatewayContext } from './context';
import { gatewayFormatError } from './errors';
import { IdentityDataSource } from './identity-data-source';
import { assertSubgraphsHealthy } from './readiness';
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

  const gateway = new ApolloGateway({
    supergraphSdl,
    logger: apolloLogger(logger),
    buildService: ({ name, url }) => new IdentityDataSource({ url: urlOverrides[name] ?? url }),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: development,
    includeStacktraceInErrorResponses: development,
    formatError: gatewayFormatError(development),
    logger: apolloLogger(logger),
    plugins: [
      development
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
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

  const server = createHttpApp<GatewayContext>({
    apollo,
    cors: true,
    context: createContextFactory({
      verifier,
      redis,
      gatewaySecret: config.gatewaySecret,
      trustProxy: config.trustProxy,
    }),
    ready: async () => {
      if (!supergraphLoaded) throw new Error('supergraph not loaded');
      await assertSubgraphsHealthy(routes);
    },
  });

  return {
    server,
    listen: async (port = config.port) => {
      const url = await listen(server, port);
      logger.info('listening', { url, mode: config.mode });
      return url;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      supergraphLoaded = false;
      await close(server);
      await apollo.stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
