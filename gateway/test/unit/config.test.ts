import { ConfigError } from '@storegraph/common';
import { generatedDevKeys } from '@storegraph/common/testing';
import { readConfig } from '../../src/config';

const SECRET = 'x'.repeat(40);
const PUBLIC_KEY = '-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEA\\n-----END PUBLIC KEY-----';

function problemsOf(env: Record<string, string>): string[] {
  try {
    readConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('gateway config', () => {
  it('refuses production without JWT_PUBLIC_KEY and GATEWAY_SECRET, naming both', () => {
    const problems = problemsOf({ APP_MODE: 'production' });
    expect(problems).toEqual([
      expect.stringContaining('JWT_PUBLIC_KEY is required in production'),
      expect.stringContaining('GATEWAY_SECRET is required in production'),
    ]);
  });

  it('refuses a short GATEWAY_SECRET in production', () => {
    expect(problemsOf({ APP_MODE: 'production', JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: 'short' })).toEqual([
      expect.stringContaining('GATEWAY_SECRET'),
    ]);
  });

  it('reads production settings from the environment, with PEM newlines unescaped', () => {
    const config = readConfig({ APP_MODE: 'production', JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: SECRET });
    expect(config.mode).toBe('production');
    expect(config.jwtPublicKeyPem).toBe(PUBLIC_KEY.replace(/\\n/g, '\n'));
    expect(config.gatewaySecret).toBe(SECRET);
  });

  it('defaults: port 4000, the repository supergraph, no proxy trust, no URL overrides', () => {
    const config = readConfig({ APP_MODE: 'production', JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: SECRET });
    expect(config.port).toBe(4000);
    expect(config.supergraphPath).toMatch(/\/supergraph\.graphql$/);
    expect(config.supergraphPath).not.toMatch(/gateway\/supergraph\.graphql$/);
    expect(config.trustProxy).toBe(false);
    expect(config.subgraphUrls).toEqual({});
    expect(config.redisPrefix).toBe('storegraph:');
    expect(config.requestRateLimit).toEqual({ points: 600, windowSeconds: 60 });
  });

  it('reads the request rate limit, its allowance multiplied by RATE_LIMIT_MULTIPLIER', () => {
    const base = { APP_MODE: 'production', JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: SECRET };
    const env = { ...base, REQUEST_RATE_LIMIT: '50', REQUEST_RATE_WINDOW_SECONDS: '10', RATE_LIMIT_MULTIPLIER: '20' };
    expect(readConfig(env).requestRateLimit).toEqual({ points: 1000, windowSeconds: 10 });
    expect(problemsOf({ ...base, REQUEST_RATE_LIMIT: '0' })).toEqual([expect.stringContaining('REQUEST_RATE_LIMIT')]);
  });

  it('takes per-subgraph URL overrides and rejects malformed ones', () => {
    const base = { APP_MODE: 'production', JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: SECRET };
    expect(readConfig({ ...base, ORDERS_URL: 'http://orders:4003/graphql' }).subgraphUrls).toEqual({
      orders: 'http://orders:4003/graphql',
    });
    expect(problemsOf({ ...base, USERS_URL: 'users:4001' })).toEqual([expect.stringContaining('USERS_URL')]);
  });

  it('defaults every operation and socket limit, and reads each from its setting', () => {
    const base = { APP_MODE: 'production', JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: SECRET };
    const defaults = readConfig(base);
    expect(defaults.operationLimits).toEqual({
      maxDepth: 12,
      maxAliases: 30,
      maxRootFields: 20,
      maxDirectives: 50,
      maxTokens: 2000,
      maxCost: 200_000,
      defaultListSize: 10,
    });
    expect(defaults.webSocketLimits).toEqual({
      maxMessageBytes: 262_144,
      connectionInitTimeoutMs: 10_000,
      maxSubscriptionsPerSocket: 20,
      maxSocketsPerAddress: 500,
      maxSocketsPerUser: 20,
    });
    expect(defaults.maxBodyBytes).toBe(1_000_000);
    const set = readConfig({
      ...base,
      MAX_QUERY_ALIASES: '1',
      MAX_QUERY_ROOT_FIELDS: '2',
      MAX_QUERY_DIRECTIVES: '3',
      MAX_QUERY_TOKENS: '40',
      MAX_QUERY_COST: '5',
      QUERY_COST_DEFAULT_LIST_SIZE: '6',
      MAX_BODY_BYTES: '2048',
      WS_MAX_MESSAGE_BYTES: '4096',
      WS_CONNECTION_INIT_TIMEOUT_MS: '700',
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '8',
      WS_MAX_SOCKETS_PER_ADDRESS: '9',
      WS_MAX_SOCKETS_PER_USER: '10',
    });
    expect(set.operationLimits).toEqual({
      ...defaults.operationLimits,
      maxAliases: 1,
      maxRootFields: 2,
      maxDirectives: 3,
      maxTokens: 40,
      maxCost: 5,
      defaultListSize: 6,
    });
    expect(set.webSocketLimits).toEqual({
      maxMessageBytes: 4096,
      connectionInitTimeoutMs: 700,
      maxSubscriptionsPerSocket: 8,
      maxSocketsPerAddress: 9,
      maxSocketsPerUser: 10,
    });
    expect(set.maxBodyBytes).toBe(2048);
  });

  it('refuses limits that would refuse everything, naming each', () => {
    const base = { APP_MODE: 'production', JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: SECRET };
    expect(problemsOf({ ...base, MAX_QUERY_COST: '0', MAX_BODY_BYTES: '10', WS_MAX_SOCKETS_PER_USER: 'many' })).toEqual([
      expect.stringContaining('MAX_QUERY_COST'),
      expect.stringContaining('WS_MAX_SOCKETS_PER_USER'),
      expect.stringContaining('MAX_BODY_BYTES'),
    ]);
  });

  it('refuses an unknown APP_MODE rather than guessing', () => {
    expect(problemsOf({ APP_MODE: 'staging', JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: SECRET })).toEqual([
      expect.stringContaining('APP_MODE'),
    ]);
  });

  it('refuses in production the verification key and secret generated for development', () => {
    const dev = generatedDevKeys();
    expect(problemsOf({ APP_MODE: 'production', KEYS_DIR: dev.KEYS_DIR, JWT_PUBLIC_KEY: dev.publicKeyPem, GATEWAY_SECRET: dev.gatewaySecret })).toEqual([
      expect.stringContaining('GATEWAY_SECRET is the key material generated for development'),
      expect.stringContaining('JWT_PUBLIC_KEY is the key material generated for development'),
    ]);
    expect(problemsOf({ APP_MODE: 'production', KEYS_DIR: dev.KEYS_DIR, JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: SECRET })).toEqual([]);
  });

  it('reads the identity assertion lifetime and the unchecked-revocation bound, refusing a bound shorter than the check interval', () => {
    const base = { APP_MODE: 'production', JWT_PUBLIC_KEY: PUBLIC_KEY, GATEWAY_SECRET: SECRET };
    expect(readConfig(base)).toMatchObject({ identityAssertionTtlSeconds: 60, revocationCheckMs: 5000, revocationUncheckedCloseMs: 30_000 });
    expect(readConfig({ ...base, IDENTITY_ASSERTION_TTL_SECONDS: '5', REVOCATION_UNCHECKED_CLOSE_MS: '9000' })).toMatchObject({
      identityAssertionTtlSeconds: 5,
      revocationUncheckedCloseMs: 9000,
    });
    expect(problemsOf({ ...base, IDENTITY_ASSERTION_TTL_SECONDS: '0' })).toEqual([expect.stringContaining('IDENTITY_ASSERTION_TTL_SECONDS')]);
    expect(problemsOf({ ...base, REVOCATION_CHECK_MS: '5000', REVOCATION_UNCHECKED_CLOSE_MS: '1000' })).toEqual([
      expect.stringContaining('REVOCATION_UNCHECKED_CLOSE_MS must be at least REVOCATION_CHECK_MS'),
    ]);
  });
});
