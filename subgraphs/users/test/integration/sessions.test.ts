import { revocationKeys } from '@storegraph/common';
import { codes, unique } from '@storegraph/common/testing';
import { AUTH_FIELDS, UsersHarness, type AuthPayloadShape } from '../support/users-harness';

const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const LOGOUT = 'mutation ($t: String!) { logout(refreshToken: $t) }';

describe('refresh tokens and logout', () => {
  let users: UsersHarness;
  beforeAll(async () => {
    users = await UsersHarness.start();
  });
  afterAll(() => users.stop());

  const refresh = (token: string) => users.call<{ refreshToken: AuthPayloadShape }>(REFRESH, { t: token });
  const familyRows = (familyId: string) =>
    users.sql<{ rotated_at: Date | null; revoked_at: Date | null }>(
      'select rotated_at, revoked_at from refresh_tokens where family_id = ? order by id',
      [familyId],
    );

  it('rotates: a new pair in the same login, and the old refresh token stops working', async () => {
    const first = await users.register(`${unique('rot')}@example.com`);
    const res = await refresh(first.refreshToken);
    expect(res.errors).toBeUndefined();
    const second = res.data!.refreshToken;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.user).toEqual(first.user);
    const [before, after] = [await users.callerOf(first.accessToken), await users.callerOf(second.accessToken)];
    expect(after.familyId).toBe(before.familyId);
    expect(after.tokenId).not.toBe(before.tokenId);

    // the next rotation still works from the new token
    expect(codes(await refresh(second.refreshToken))).toEqual([]);
  });

  it('treats reuse of a rotated token as theft: the whole login is revoked, in the DB and in Redis', async () => {
    const first = await users.register(`${unique('reuse')}@example.com`);
    const { familyId } = await users.callerOf(first.accessToken);
    const second = (await refresh(first.refreshToken)).data!.refreshToken;

    const replay = await refresh(first.refreshToken);
    expect(codes(replay)).toEqual(['UNAUTHENTICATED']);
    // the legitimate-looking newer token dies with its family
    expect(codes(await refresh(second.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect((await familyRows(familyId)).every((row) => row.revoked_at !== null)).toBe(true);
    expect(await users.redis.get(revocationKeys.family(familyId))).not.toBeNull();
    const ttl = await users.redis.ttl(revocationKeys.family(familyId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(users.config.accessTokenTtlSeconds);
  });

  it('lets exactly one of two concurrent refreshes with one token succeed', async () => {
    const first = await users.register(`${unique('race')}@example.com`);
    const results = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
    expect(results.map((r) => codes(r)[0] ?? 'OK').sort()).toEqual(['OK', 'UNAUTHENTICATED']);
  });

  it('refuses unknown, malformed, tampered and expired refresh tokens, changing nothing', async () => {
    const first = await users.register(`${unique('bad')}@example.com`);
    const [id, secret] = first.refreshToken.split('.');
    const tampered = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    for (const token of ['', 'nonsense', `${id}.`, tampered, `00000000-0000-7000-8000-000000000000.${secret}`]) {
      expect(codes(await refresh(token))).toEqual(['UNAUTHENTICATED']);
    }
    const { familyId } = await users.callerOf(first.accessToken);
    expect(await familyRows(familyId)).toEqual([{ rotated_at: null, revoked_at: null }]);

    await users.sql("update refresh_tokens set expires_at = now() - interval '1 second' where id = ?", [id]);
    expect(codes(await refresh(first.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(await users.countTokens(first.user.id)).toBe(1);
  });

  it('logout revokes the login in the DB, the family and the calling access token in Redis', async () => {
    const first = await users.register(`${unique('out')}@example.com`);
    const caller = await users.callerOf(first.accessToken);
    const res = await users.call<{ logout: boolean }>(LOGOUT, { t: first.refreshToken }, { caller });
    expect(res).toEqual({ data: { logout: true } });

    expect(codes(await refresh(first.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(await users.redis.get(revocationKeys.token(caller.tokenId))).not.toBeNull();
    const ttl = await users.redis.ttl(revocationKeys.token(caller.tokenId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(caller.tokenExpiresAt - Math.floor(Date.now() / 1000) + 1);
    expect(await users.redis.get(revocationKeys.family(caller.familyId))).not.toBeNull();
  });

  it('logout refuses an invalid token and another user\'s token, revoking nothing', async () => {
    const mine = await users.register(`${unique('mine')}@example.com`);
    const theirs = await users.register(`${unique('theirs')}@example.com`);
    const caller = await users.callerOf(mine.accessToken);

    expect(codes(await users.call(LOGOUT, { t: 'garbage' }, { caller }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await users.call(LOGOUT, { t: theirs.refreshToken }, { caller }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await refresh(theirs.refreshToken))).toEqual([]);
    expect(await users.redis.get(revocationKeys.token(caller.tokenId))).toBeNull();
  });
});
