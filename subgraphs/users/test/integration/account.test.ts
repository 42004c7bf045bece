import { revocationKeys } from '@storegraph/common';
import { codes, unique } from '@storegraph/common/testing';
import { AUTH_FIELDS, UsersHarness, type AuthPayloadShape } from '../support/users-harness';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const MAX_FAILURES = 3;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const UPDATE_PROFILE = 'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { id name email } }';
const CHANGE_PASSWORD = `mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { ${AUTH_FIELDS} } }`;
const LOGOUT_EVERYWHERE = 'mutation { logoutEverywhere }';

let lastOctet = 0;
const freshIp = () => `203.0.113.${++lastOctet}`;

describe('profile, password change and logout everywhere', () => {
  let users: UsersHarness;
  beforeAll(async () => {
    users = await UsersHarness.start({ RATE_LIMIT_MULTIPLIER: '1', LOGIN_MAX_FAILURES: String(MAX_FAILURES) });
  });
  afterAll(() => users.stop());

  const login = (email: string, password: string) =>
    users.call<{ login: AuthPayloadShape }>(LOGIN, { email, password }, { clientIp: freshIp() });
  const refresh = (token: string) => users.call<{ refreshToken: AuthPayloadShape }>(REFRESH, { t: token });
  const callerOf = (auth: AuthPayloadShape) => users.callerOf(auth.accessToken);
  const liveTokens = async (userId: string) => {
    const [row] = await users.sql<{ n: string }>('select count(*) as n from refresh_tokens where user_id = ? and revoked_at is null', [userId]);
    return Number(row.n);
  };
  const passwordHash = async (userId: string) =>
    (await users.sql<{ password_hash: string }>('select password_hash from users where id = ?', [userId]))[0].password_hash;

  /** An account with two logins: `first` (from register) and `second` (a login elsewhere). */
  async function twoLogins(prefix: string) {
    const email = `${unique(prefix)}@example.com`;
    const first = await users.register(email, PASSWORD, 'Two Logins');
    const second = (await login(email, PASSWORD)).data!.login;
    return { email, first, second };
  }

  describe('updateProfile', () => {
    it('sets a trimmed name and leaves absent fields alone', async () => {
      const auth = await users.register(`${unique('prof')}@example.com`);
      const caller = await callerOf(auth);
      const res = await users.call(UPDATE_PROFILE, { input: { name: '  Ada Lovelace ' } }, { caller });
      expect(res).toEqual({ data: { updateProfile: { id: auth.user.id, name: 'Ada Lovelace', email: auth.user.email } } });
      const unchanged = await users.call(UPDATE_PROFILE, { input: {} }, { caller });
      expect(unchanged.data).toEqual({ updateProfile: { id: auth.user.id, name: 'Ada Lovelace', email: auth.user.email } });
    });

    it('refuses a blank or over-long name (BAD_USER_INPUT naming the field) and changes nothing', async () => {
      const auth = await users.register(`${unique('prof-bad')}@example.com`, PASSWORD, 'Original');
      const caller = await callerOf(auth);
      for (const name of ['', '   ', 'x'.repeat(201)]) {
        const res = await users.call(UPDATE_PROFILE, { input: { name } }, { caller });
        expect(codes(res)).toEqual(['BAD_USER_INPUT']);
        expect(res.errors![0].extensions!.field).toBe('name');
      }
      const [row] = await users.sql<{ name: string }>('select name from users where id = ?', [auth.user.id]);
      expect(row.name).toBe('Original');
    });

    it('is for signed-in callers only', async () => {
      expect(codes(await users.call(UPDATE_PROFILE, { input: { name: 'Anon' } }))).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('changePassword', () => {
    it('sets the new password, ends every login (the calling one too, durably) and returns a new login', async () => {
      const { email, first, second } = await twoLogins('chpw');
      const [callerFirst, callerSecond] = [await callerOf(first), await callerOf(second)];
      const res = await users.call<{ changePassword: AuthPayloadShape }>(
        CHANGE_PASSWORD,
        { c: PASSWORD, n: NEW_PASSWORD },
        { caller: callerFirst },
      );
      expect(res.errors).toBeUndefined();
      const fresh = res.data!.changePassword;
      expect(fresh.user).toEqual(first.user);
      const callerFresh = await callerOf(fresh);
      expect([callerFirst.familyId, callerSecond.familyId]).not.toContain(callerFresh.familyId);

      // the old password no longer signs in, the new one does
      expect(codes(await login(email, PASSWORD))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await login(email, NEW_PASSWORD))).toEqual([]);
      // the other login and the calling one are over: refresh refused, access tokens on the revocation list
      expect(codes(await refresh(second.refreshToken))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await refresh(first.refreshToken))).toEqual(['UNAUTHENTICATED']);
      for (const familyId of [callerFirst.familyId, callerSecond.familyId]) {
        expect(await users.redis.get(revocationKeys.family(familyId))).not.toBeNull();
        const [entry] = await users.sql<{ published_at: Date | null }>('select published_at from revocations where key = ?', [
          revocationKeys.family(familyId),
        ]);
        expect(entry.published_at).not.toBeNull();
      }
      // the new login is not revoked and refreshes
      expect(await users.redis.get(revocationKeys.family(callerFresh.familyId))).toBeNull();
      expect(codes(await refresh(fresh.refreshToken))).toEqual([]);
    });

    it('answers a wrong current password UNAUTHENTICATED, changing nothing and revoking nothing', async () => {
      const { email, first, second } = await twoLogins('chpw-wrong');
      const before = await passwordHash(first.user.id);
      const res = await users.call(CHANGE_PASSWORD, { c: 'not my password', n: NEW_PASSWORD }, { caller: await callerOf(first) });
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
      expect(await passwordHash(first.user.id)).toBe(before);
      expect(await liveTokens(first.user.id)).toBe(2); // both logins still live
      expect(codes(await refresh(second.refreshToken))).toEqual([]);
      expect(codes(await login(email, PASSWORD))).toEqual([]);
    });

    it('counts wrong current passwords as failed logins: after the limit, RATE_LIMITED even with the right one', async () => {
      const { email, first } = await twoLogins('chpw-guess');
      const caller = await callerOf(first);
      for (let i = 0; i < MAX_FAILURES; i += 1) {
        const res = await users.call(CHANGE_PASSWORD, { c: `guess-${i}-wrong`, n: NEW_PASSWORD }, { caller, clientIp: freshIp() });
        expect(codes(res)).toEqual(['UNAUTHENTICATED']);
      }
      const limited = await users.call(CHANGE_PASSWORD, { c: PASSWORD, n: NEW_PASSWORD }, { caller, clientIp: freshIp() });
      expect(codes(limited)).toEqual(['RATE_LIMITED']);
      // the same counter as login's: signing in with the password is throttled too
      expect(codes(await login(email, PASSWORD))).toEqual(['RATE_LIMITED']);
      expect(codes(await refresh(first.refreshToken))).toEqual([]);
    });

    it('validates the new password like register (BAD_USER_INPUT, field newPassword), changing nothing', async () => {
      const { first, second } = await twoLogins('chpw-short');
      const before = await passwordHash(first.user.id);
      for (const n of ['short', 'x'.repeat(1025)]) {
        const res = await users.call(CHANGE_PASSWORD, { c: PASSWORD, n }, { caller: await callerOf(first) });
        expect(codes(res)).toEqual(['BAD_USER_INPUT']);
        expect(res.errors![0].extensions!.field).toBe('newPassword');
      }
      expect(await passwordHash(first.user.id)).toBe(before);
      expect(codes(await refresh(second.refreshToken))).toEqual([]);
    });

    it('is for signed-in callers only', async () => {
      expect(codes(await users.call(CHANGE_PASSWORD, { c: PASSWORD, n: NEW_PASSWORD }))).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('logoutEverywhere', () => {
    it('ends every login of the caller, this one included, and no one else\'s', async () => {
      const { email, first, second } = await twoLogins('everywhere');
      const other = await users.register(`${unique('bystander')}@example.com`);
      const [callerFirst, callerSecond] = [await callerOf(first), await callerOf(second)];
      expect(await users.call(LOGOUT_EVERYWHERE, {}, { caller: callerSecond })).toEqual({ data: { logoutEverywhere: true } });

      expect(codes(await refresh(first.refreshToken))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await refresh(second.refreshToken))).toEqual(['UNAUTHENTICATED']);
      expect(await liveTokens(first.user.id)).toBe(0);
      for (const familyId of [callerFirst.familyId, callerSecond.familyId]) {
        expect(await users.redis.get(revocationKeys.family(familyId))).not.toBeNull();
      }
      expect(codes(await refresh(other.refreshToken))).toEqual([]);
      // the password still works: a new login starts fresh
      expect(codes(await login(email, PASSWORD))).toEqual([]);
    });

    it('is for signed-in callers only', async () => {
      expect(codes(await users.call(LOGOUT_EVERYWHERE))).toEqual(['UNAUTHENTICATED']);
    });
  });
});
