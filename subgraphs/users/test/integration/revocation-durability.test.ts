import { revocationKeys } from '@storegraph/common';
import { codes, OwnRedisServer, unique, waitFor } from '@storegraph/common/testing';
import { AUTH_FIELDS, UsersHarness, type AuthPayloadShape } from '../support/users-harness';

const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const LOGOUT = 'mutation ($t: String!) { logout(refreshToken: $t) }';

/**
 * Revocations are recorded in the users database in the transaction that revokes the
 * login, and reach Redis however Redis behaves: down when the logout commits, restarted
 * empty (it runs without persistence), flushed, or users itself restarted in between.
 * Each test runs users against a Redis server of its own, which it stops and starts.
 */
describe('revocations survive Redis outages', () => {
  let redisServer: OwnRedisServer;
  let users: UsersHarness;

  beforeAll(async () => {
    redisServer = await OwnRedisServer.start();
    users = await UsersHarness.start({ REDIS_URL: redisServer.url, REVOCATION_SYNC_INTERVAL_MS: '100' });
  });
  afterAll(async () => {
    users?.redis.disconnect();
    await users?.app.stop();
    await redisServer?.stop();
  });

  const entries = (keys: string[]) =>
    users.sql<{ key: string; published: boolean }>(
      'select key, published_at is not null as published from revocations where key in (?) order by key',
      [keys],
    );
  const inRedis = async (keys: string[]) => (await users.redis.mget(...keys, revocationKeys.complete())).every((v) => v !== null);

  async function loggedIn(name: string): Promise<{ auth: AuthPayloadShape; keys: string[]; caller: Awaited<ReturnType<UsersHarness['callerOf']>> }> {
    const auth = await users.register(`${unique(name)}@example.com`);
    const caller = await users.callerOf(auth.accessToken);
    return { auth, caller, keys: [revocationKeys.family(caller.familyId), revocationKeys.token(caller.tokenId)].sort() };
  }

  it('a healthy logout is in Redis and marked published when it answers; the list is marked complete', async () => {
    const { auth, caller, keys } = await loggedIn('healthy');
    expect(await users.call(LOGOUT, { t: auth.refreshToken }, { caller })).toEqual({ data: { logout: true } });
    expect(await inRedis(keys)).toBe(true);
    expect(await entries(keys)).toEqual(keys.map((key) => ({ key, published: true })));
  });

  it('a logout while Redis is down commits whole, answers true, and reaches the restarted (empty) Redis', async () => {
    const { auth, caller, keys } = await loggedIn('outage');
    await redisServer.stop();
    try {
      expect(await users.call(LOGOUT, { t: auth.refreshToken }, { caller })).toEqual({ data: { logout: true } });
      // Held in the database: the login is over and its revocations wait for Redis.
      expect(codes(await users.call(REFRESH, { t: auth.refreshToken }))).toEqual(['UNAUTHENTICATED']);
      expect(await entries(keys)).toEqual(keys.map((key) => ({ key, published: false })));
    } finally {
      await redisServer.start();
    }
    await waitFor(() => inRedis(keys), { what: 'the revocations and the complete mark in the restarted Redis' });
    await waitFor(async () => (await entries(keys)).every((entry) => entry.published), { what: 'the entries marked published' });
  });

  it('refresh-token reuse while Redis is down revokes the login and reaches Redis when it returns', async () => {
    const { auth, caller } = await loggedIn('reuse');
    const rotated = (await users.call<{ refreshToken: AuthPayloadShape }>(REFRESH, { t: auth.refreshToken })).data!.refreshToken;
    await redisServer.stop();
    try {
      expect(codes(await users.call(REFRESH, { t: auth.refreshToken }))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await users.call(REFRESH, { t: rotated.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    } finally {
      await redisServer.start();
    }
    await waitFor(() => inRedis([revocationKeys.family(caller.familyId)]), { what: 'the login revoked in Redis' });
  });

  it('changePassword and logoutEverywhere while Redis is down commit whole and reach Redis when it returns', async () => {
    const changer = await loggedIn('chpw-outage');
    const quitter = await loggedIn('everywhere-outage');
    const families = [changer, quitter].map(({ caller }) => revocationKeys.family(caller.familyId));
    await redisServer.stop();
    let fresh: AuthPayloadShape;
    try {
      const changed = await users.call<{ changePassword: AuthPayloadShape }>(
        `mutation { changePassword(currentPassword: "correct horse battery", newPassword: "another good phrase") { ${AUTH_FIELDS} } }`,
        {},
        { caller: changer.caller },
      );
      expect(changed.errors).toBeUndefined();
      fresh = changed.data!.changePassword;
      expect(await users.call('mutation { logoutEverywhere }', {}, { caller: quitter.caller })).toEqual({ data: { logoutEverywhere: true } });
      for (const { auth } of [changer, quitter]) expect(codes(await users.call(REFRESH, { t: auth.refreshToken }))).toEqual(['UNAUTHENTICATED']);
      expect(await entries(families)).toEqual([...families].sort().map((key) => ({ key, published: false })));
    } finally {
      await redisServer.start();
    }
    await waitFor(() => inRedis(families), { what: 'both ended logins revoked in the restarted Redis' });
    // the login changePassword opened is not among them
    expect(await users.redis.get(revocationKeys.family((await users.callerOf(fresh!.accessToken)).familyId))).toBeNull();
  });

  it('a Redis that lost its keys while up (flushed) is refilled in full', async () => {
    const { auth, caller, keys } = await loggedIn('flushed');
    await users.call(LOGOUT, { t: auth.refreshToken }, { caller });
    expect(await inRedis(keys)).toBe(true);
    await users.redis.flushall();
    await waitFor(() => inRedis(keys), { what: 'the list pushed again' });
  });

  it('a revocation pending when users stops is pushed by the next users process', async () => {
    const { auth, caller, keys } = await loggedIn('restart');
    await redisServer.stop();
    expect(await users.call(LOGOUT, { t: auth.refreshToken }, { caller })).toEqual({ data: { logout: true } });
    users.redis.disconnect();
    await users.app.stop();
    await redisServer.start();
    users = await UsersHarness.start({ REDIS_URL: redisServer.url, REVOCATION_SYNC_INTERVAL_MS: '60000' });
    // Pushed before the new process serves (its start fills a Redis that lacks the complete mark).
    expect(await inRedis(keys)).toBe(true);
  });
});
