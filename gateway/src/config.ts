import { resolve } from 'node:path';
import {
  DEFAULT_MAX_BODY_BYTES,
  EnvReader,
  type InfraConfig,
  type Mode,
  type RateRule,
  readInfra,
  readKeyMaterial,
  readRateRules,
} from '@storegraph/common';
import type { OperationLimits, WebSocketLimits } from './limits';

/** The subgraphs the supergraph composes, by their name in `supergraph.yaml`. */
export const SUBGRAPH_NAMES = ['users', 'catalog', 'orders', 'payments'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Everything the gateway reads from its environment, parsed once at start. */
export interface GatewayConfig extends InfraConfig {
  /** `APP_MODE`: Sandbox, introspection and detailed errors only in development. */
  mode: Mode;
  port: number;
  /** The committed, composed supergraph the gateway serves (never introspected at start). */
  supergraphPath: string;
  /** Per-subgraph routing URLs that replace the ones in the supergraph (deploys, tests). */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** SPKI PEM of the key users signs access tokens with. */
  jwtPublicKeyPem: string;
  /** HMAC secret of the gateway -> subgraph identity header. */
  gatewaySecret: string;
  /** Take the client address from X-Forwarded-For's first entry: only behind a proxy that sets it. */
  trustProxy: boolean;
  /** How often open WebSockets' tokens are checked for revocation. */
  revocationCheckMs: number;
  /** An open WebSocket whose revocation could not be checked for this long is closed (4503). */
  revocationUncheckedCloseMs: number;
  /** Lifetime of each signed identity assertion to the subgraphs (signed anew for every operation and event). */
  identityAssertionTtlSeconds: number;
  /** How big one operation may be; over a limit it is refused before planning, on HTTP and WebSocket alike. */
  operationLimits: OperationLimits;
  /** Message size, connection_init wait, subscriptions per socket, sockets per address and per user. */
  webSocketLimits: WebSocketLimits;
  /** `MAX_BODY_BYTES`: a larger POST body is refused with 413 and reading stops at the cap. */
  maxBodyBytes: number;
  /** Accept only operations of the SDK's persisted-operations manifest. */
  persistedOperationsOnly: boolean;
  persistedOperationsPath: string;
  /** Requests (and WebSocket operations) per client address per window. */
  requestRateLimit: RateRule;
  /** The cache of public catalog reads (identical fetches in flight are shared either way). */
  readCache: { enabled: boolean; ttlSeconds: number; maxEntries: number };
  /** `HEAP_GROWING_PERCENT`: how far V8's old generation may grow past what the last full GC kept (0: V8's own choice). */
  heapGrowingPercent: number;
}

/** Resolves from src/ and from dist/ alike: both sit one level below gateway/. */
const DEFAULT_SUPERGRAPH_PATH = resolve(__dirname, '../../supergraph.graphql');
const DEFAULT_MANIFEST_PATH = resolve(__dirname, '../../packages/sdk/src/generated/persisted-documents.json');

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}

export function readConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const env = new EnvReader(source);
  const mode = env.mode();
  const keys = readKeyMaterial(env, mode, { publicKey: true });
  const subgraphUrls: GatewayConfig['subgraphUrls'] = {};
  for (const name of SUBGRAPH_NAMES) {
    const variable = `${name.toUpperCase()}_URL`;
    const url = env.optional(variable);
    if (url === undefined) continue;
    if (!isHttpUrl(url)) env.problem(`${variable} must be an http(s) URL such as http://host:4001/graphql (got "${url}")`);
    subgraphUrls[name] = url;
  }
  const config: GatewayConfig = {
    mode,
    port: env.int('GATEWAY_PORT', 4000),
    supergraphPath: resolve(env.string('SUPERGRAPH_PATH', DEFAULT_SUPERGRAPH_PATH)),
    subgraphUrls,
    jwtPublicKeyPem: keys.publicKeyPem,
    gatewaySecret: keys.gatewaySecret,
    trustProxy: env.bool('TRUST_PROXY', false),
    revocationCheckMs: env.int('REVOCATION_CHECK_MS', 5000, 100),
    revocationUncheckedCloseMs: env.int('REVOCATION_UNCHECKED_CLOSE_MS', 30_000, 100),
    identityAssertionTtlSeconds: env.int('IDENTITY_ASSERTION_TTL_SECONDS', 60, 1),
    operationLimits: readOperationLimits(env),
    webSocketLimits: readWebSocketLimits(env),
    maxBodyBytes: env.int('MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024),
    persistedOperationsOnly: env.bool('PERSISTED_OPERATIONS_ONLY', false),
    persistedOperationsPath: resolve(env.string('PERSISTED_OPERATIONS_PATH', DEFAULT_MANIFEST_PATH)),
    requestRateLimit: readRateRules(env, ['request']).request,
    readCache: {
      enabled: env.bool('READ_CACHE', true),
      ttlSeconds: env.int('READ_CACHE_TTL_SECONDS', 60, 1),
      maxEntries: env.int('READ_CACHE_MAX_ENTRIES', 10_000, 1),
    },
    heapGrowingPercent: env.int('HEAP_GROWING_PERCENT', 50, 0),
    ...readInfra(env),
  };
  if (config.revocationUncheckedCloseMs < config.revocationCheckMs) {
    // Otherwise every socket would be closed between two checks that both succeed.
    env.problem('REVOCATION_UNCHECKED_CLOSE_MS must be at least REVOCATION_CHECK_MS');
  }
  env.done();
  return config;
}

/**
 * Defaults leave room above everything our own clients send (the SDK's persisted
 * operations are checked against them by a test) while refusing what only an abuser writes.
 */
function readOperationLimits(env: EnvReader): OperationLimits {
  return {
    maxDepth: env.int('MAX_QUERY_DEPTH', 12, 1),
    maxAliases: env.int('MAX_QUERY_ALIASES', 30, 0),
    maxRootFields: env.int('MAX_QUERY_ROOT_FIELDS', 20, 1),
    maxDirectives: env.int('MAX_QUERY_DIRECTIVES', 50, 0),
    maxTokens: env.int('MAX_QUERY_TOKENS', 2000, 10),
    maxCost: env.int('MAX_QUERY_COST', 200_000, 1),
    defaultListSize: env.int('QUERY_COST_DEFAULT_LIST_SIZE', 10, 1),
  };
}

function readWebSocketLimits(env: EnvReader): WebSocketLimits {
  return {
    maxMessageBytes: env.int('WS_MAX_MESSAGE_BYTES', 262_144, 1024),
    // The SDK may refresh its token before connection_init: a round trip on a slow network.
    connectionInitTimeoutMs: env.int('WS_CONNECTION_INIT_TIMEOUT_MS', 10_000, 100),
    maxSubscriptionsPerSocket: env.int('WS_MAX_SUBSCRIPTIONS_PER_SOCKET', 20, 1),
    // Many customers may share one address behind a carrier's NAT.
    maxSocketsPerAddress: env.int('WS_MAX_SOCKETS_PER_ADDRESS', 500, 1),
    maxSocketsPerUser: env.int('WS_MAX_SOCKETS_PER_USER', 20, 1),
  };
}
