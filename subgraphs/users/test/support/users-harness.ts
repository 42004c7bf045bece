import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  AccessTokenVerifier,
  createLogger,
  createRedis,
  EnvReader,
  IDENTITY_HEADER,
  readKeyMaterial,
  signIdentity,
  type Caller,
} from '@storegraph/common';
import { dropNamespace, postGraphQL, testDatabaseUrl, testNamespace, testRedisPrefix, type GraphQLResponse } from '@storegraph/common/testing';
import { createApp, readConfig, type UsersConfig } from '../../src/app';
import type { UsersApp } from '../../src/app';

/**
 * The users config for tests: like common's testSubgraphConfig (own database, own Redis
 * prefix, port 0), but read through users' readConfig so its own settings apply too.
 */
export function testUsersConfig(overrides: Record<string, string> = {}): UsersConfig {
  return readConfig(
    new EnvReader({
      ...process.env,
      APP_MODE: 'development',
      USERS_DATABASE_URL: testDatabaseUrl('users'),
      REDIS_PREFIX: testRedisPrefix,
      // Streams of its own (users consumes audit entries), dropped at stop.
      NATS_NAMESPACE: testNamespace(),
      USERS_PORT: '0',
      // Emails of suites that run no SMTP server land outside the worktree.
      MAIL_FOLDER: join(tmpdir(), 'storegraph-test-mail'),
      ...overrides,
    }),
  );
}

export interface AuthPayloadShape {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string; role: 'CUSTOMER' | 'ADMIN'; createdAt: string };
}

export const AUTH_FIELDS = 'accessToken refreshToken expiresIn user { id email name role createdAt }';

/** A running users subgraph plus what tests need around it: Redis, SQL, signed identities. */
export class UsersHarness {
  private constructor(
    readonly app: UsersApp,
    readonly url: string,
    readonly config: UsersConfig,
    readonly redis: Redis,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  static async start(overrides: Record<string, string> = {}): Promise<UsersHarness> {
    const config = testUsersConfig(overrides);
    const app = await createApp(config, createLogger('users', 'error'));
    const url = await app.listen(0);
    const keys = readKeyMaterial(new EnvReader(process.env), 'development', {});
    const verifier = await AccessTokenVerifier.fromPem(keys.publicKeyPem);
    return new UsersHarness(app, url, config, createRedis(config.redisUrl, config.redisPrefix), verifier);
  }

  async stop(): Promise<void> {
    await this.redis.quit();
    await this.app.stop();
    await dropNamespace(this.config.natsUrl, this.config.natsNamespace);
  }

  /** Calls the subgraph as the gateway would: with a signed identity assertion. */
  call<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    identity: { caller?: Caller | null; clientIp?: string | null } = {},
  ): Promise<GraphQLResponse<T>> {
    const header = signIdentity(this.config.gatewaySecret, {
      caller: identity.caller ?? null,
      clientIp: identity.clientIp ?? '192.0.2.1',
    });
    return postGraphQL<T>(this.url, query, variables, { [IDENTITY_HEADER]: header });
  }

  /** A direct call with no (or any given) headers: what an attacker bypassing the gateway sends. */
  callDirect<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<T>> {
    return postGraphQL<T>(this.url, query, variables, headers);
  }

  /** The Caller the gateway would derive from this access token (verified like the gateway does). */
  async callerOf(accessToken: string): Promise<Caller> {
    const claims = await this.verifier.verify(accessToken);
    return { userId: claims.sub, role: claims.role, tokenId: claims.jti, tokenExpiresAt: claims.exp, familyId: claims.fam };
  }

  async register(email: string, password = 'correct horse battery', name = 'Test User'): Promise<AuthPayloadShape> {
    const res = await this.call<{ register: AuthPayloadShape }>(
      `mutation ($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
      { input: { email, password, name } },
    );
    if (!res.data?.register) throw new Error(`register failed: ${JSON.stringify(res.errors)}`);
    return res.data.register;
  }

  async sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.app.database.orm.em.fork().execute<T[]>(query, params);
  }

  async countUsers(email: string): Promise<number> {
    const [row] = await this.sql<{ n: string }>('select count(*) as n from users where email = ?', [email]);
    return Number(row.n);
  }

  async countTokens(userId: string): Promise<number> {
    const [row] = await this.sql<{ n: string }>('select count(*) as n from refresh_tokens where user_id = ?', [userId]);
    return Number(row.n);
  }
}
