import { codes, unique, type GraphQLResponse } from '@storegraph/common/testing';
import { AUTH_FIELDS, UsersHarness, type AuthPayloadShape } from '../support/users-harness';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { ${AUTH_FIELDS} } }`;
const WINDOW = 600;

/** A documentation-range address of its own per use, so address counts never mix. */
let lastOctet = 0;
const freshIp = () => `203.0.113.${++lastOctet}`;

function expectRateLimited(res: GraphQLResponse<unknown>): void {
  expect(codes(res)).toEqual(['RATE_LIMITED']);
  expect(res.data).toBeNull();
  const retryAfter = res.errors![0].extensions!.retryAfterSeconds as number;
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW);
}

describe('users rate limits', () => {
  let users: UsersHarness;
  beforeAll(async () => {
    users = await UsersHarness.start({
      RATE_LIMIT_MULTIPLIER: '1',
      REGISTER_RATE_LIMIT: '2',
      REGISTER_RATE_WINDOW_SECONDS: String(WINDOW),
      REFRESH_RATE_LIMIT: '2',
      REFRESH_RATE_WINDOW_SECONDS: String(WINDOW),
      LOGIN_RATE_LIMIT: '3',
      LOGIN_RATE_WINDOW_SECONDS: String(WINDOW),
    });
  });
  afterAll(() => users.stop());

  const register = (email: string, clientIp: string) =>
    users.call<{ register: AuthPayloadShape }>(
      REGISTER,
      { input: { email, password: 'correct horse battery', name: 'Limited' } },
      { clientIp },
    );
  const refresh = (token: string, clientIp: string) =>
    users.call<{ refreshToken: AuthPayloadShape }>(REFRESH, { t: token }, { clientIp });

  it('refuses register past the allowance per client address, creating no account; another address may', async () => {
    const ip = freshIp();
    for (let i = 0; i < 2; i += 1) {
      expect(codes(await register(`${unique('reg')}@example.com`, ip))).toEqual([]);
    }
    const email = `${unique('refused')}@example.com`;
    expectRateLimited(await register(email, ip));
    expect(await users.countUsers(email)).toBe(0);

    const elsewhere = await register(email, freshIp());
    expect(codes(elsewhere)).toEqual([]);
    expect(await users.countUsers(email)).toBe(1);
  });

  it('refuses login past the allowance per client address, right passwords included; another address may', async () => {
    const email = `${unique('login')}@example.com`;
    expect(codes(await register(email, freshIp()))).toEqual([]);
    const login = (clientIp: string) =>
      users.call<{ login: AuthPayloadShape }>(LOGIN, { email, password: 'correct horse battery' }, { clientIp });
    const ip = freshIp();
    for (let i = 0; i < 3; i += 1) expect(codes(await login(ip))).toEqual([]);
    expectRateLimited(await login(ip));
    expect(codes(await login(freshIp()))).toEqual([]);
  });

  it('refuses refreshToken past the allowance per client address; the refused token is not spent', async () => {
    const registered = await register(`${unique('refresh')}@example.com`, freshIp());
    const { user } = registered.data!.register;
    let token = registered.data!.register.refreshToken;
    const ip = freshIp();
    for (let i = 0; i < 2; i += 1) {
      const res = await refresh(token, ip);
      expect(codes(res)).toEqual([]);
      token = res.data!.refreshToken.refreshToken;
    }
    const tokensBefore = await users.countTokens(user.id);
    expectRateLimited(await refresh(token, ip));
    expect(await users.countTokens(user.id)).toBe(tokensBefore);

    // Had the refused call rotated the token, this would be a reuse and end the login.
    const elsewhere = await refresh(token, freshIp());
    expect(codes(elsewhere)).toEqual([]);
    expect(elsewhere.data!.refreshToken.user).toEqual(user);
  });

  it('RATE_LIMIT_MULTIPLIER multiplies the allowance', async () => {
    const multiplied = await UsersHarness.start({ RATE_LIMIT_MULTIPLIER: '3', REGISTER_RATE_LIMIT: '1' });
    try {
      const ip = freshIp();
      const attempt = () =>
        multiplied.call(REGISTER, { input: { email: `${unique('x3')}@example.com`, password: 'correct horse battery', name: 'M' } }, { clientIp: ip });
      for (let i = 0; i < 3; i += 1) expect(codes(await attempt())).toEqual([]);
      expect(codes(await attempt())).toEqual(['RATE_LIMITED']);
    } finally {
      await multiplied.stop();
    }
  });
});
