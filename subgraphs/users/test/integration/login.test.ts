import { codes, unique } from '@storegraph/common/testing';
import { AUTH_FIELDS, UsersHarness, type AuthPayloadShape } from '../support/users-harness';

const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { ${AUTH_FIELDS} } }`;
const PASSWORD = 'correct horse battery';
const MAX_PER_EMAIL = 3;
const MAX_PER_ADDRESS = 6;
const WINDOW = 600;

/** A documentation-range address of its own per test, so address counters never mix. */
let lastOctet = 0;
const freshIp = () => `198.51.100.${++lastOctet}`;

describe('login', () => {
  let users: UsersHarness;
  beforeAll(async () => {
    users = await UsersHarness.start({
      RATE_LIMIT_MULTIPLIER: '1',
      LOGIN_MAX_FAILURES: String(MAX_PER_EMAIL),
      LOGIN_MAX_FAILURES_PER_ADDRESS: String(MAX_PER_ADDRESS),
      LOGIN_WINDOW_SECONDS: String(WINDOW),
    });
  });
  afterAll(() => users.stop());

  const login = (email: string, password: string, clientIp: string) =>
    users.call<{ login: AuthPayloadShape }>(LOGIN, { email, password }, { clientIp });

  it('signs in with the right password (email in any case) and opens a new login', async () => {
    const email = `${unique('ok')}@example.com`;
    const registered = await users.register(email);
    const res = await login(` ${email.toUpperCase()}`, PASSWORD, freshIp());
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.user).toEqual(registered.user);
    const caller = await users.callerOf(res.data!.login.accessToken);
    expect(caller.familyId).not.toBe((await users.callerOf(registered.accessToken)).familyId);
  });

  it('answers a wrong password and an unknown email alike: UNAUTHENTICATED, same message', async () => {
    const email = `${unique('wrong')}@example.com`;
    const { user } = await users.register(email);
    const wrong = await login(email, 'not the password', freshIp());
    const unknown = await login(`${unique('nobody')}@example.com`, PASSWORD, freshIp());
    expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(codes(unknown)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors![0].message).toBe(unknown.errors![0].message);
    expect(wrong.data).toBeNull();
    expect(await users.countTokens(user.id)).toBe(1);
  });

  it('is RATE_LIMITED per email after the limit, even with the right password, from any address', async () => {
    const email = `${unique('brute')}@example.com`;
    await users.register(email);
    for (let i = 0; i < MAX_PER_EMAIL; i += 1) {
      expect(codes(await login(email, `guess-${i}-wrong`, freshIp()))).toEqual(['UNAUTHENTICATED']);
    }
    const limited = await login(email, PASSWORD, freshIp());
    expect(codes(limited)).toEqual(['RATE_LIMITED']);
    const retryAfter = limited.errors![0].extensions!.retryAfterSeconds;
    expect(typeof retryAfter).toBe('number');
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW);
  });

  it('is RATE_LIMITED per client address across many emails', async () => {
    const ip = freshIp();
    for (let i = 0; i < MAX_PER_ADDRESS; i += 1) {
      expect(codes(await login(`${unique('spray')}@example.com`, 'wrong password', ip))).toEqual(['UNAUTHENTICATED']);
    }
    const email = `${unique('victim')}@example.com`;
    await users.register(email);
    expect(codes(await login(email, PASSWORD, ip))).toEqual(['RATE_LIMITED']);
    // the same account from another address is unaffected
    expect(codes(await login(email, PASSWORD, freshIp()))).toEqual([]);
  });

  it('forgives an email its failures after a successful login', async () => {
    const email = `${unique('forgive')}@example.com`;
    await users.register(email);
    for (let i = 0; i < MAX_PER_EMAIL - 1; i += 1) await login(email, 'wrong password', freshIp());
    expect(codes(await login(email, PASSWORD, freshIp()))).toEqual([]);
    for (let i = 0; i < MAX_PER_EMAIL - 1; i += 1) await login(email, 'wrong password', freshIp());
    expect(codes(await login(email, PASSWORD, freshIp()))).toEqual([]);
  });
});
