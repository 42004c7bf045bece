import { codes, unique } from '@storegraph/common/testing';
import { AUTH_FIELDS, UsersHarness, type AuthPayloadShape } from '../support/users-harness';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;

describe('register', () => {
  let users: UsersHarness;
  beforeAll(async () => {
    users = await UsersHarness.start();
  });
  afterAll(() => users.stop());

  it('creates a CUSTOMER with a normalized email and signs them in', async () => {
    const email = `${unique('reg')}@example.com`;
    const res = await users.call<{ register: AuthPayloadShape }>(REGISTER, {
      input: { email: `  ${email.toUpperCase()} `, password: 'long enough', name: '  Ada Lovelace ' },
    });
    expect(res.errors).toBeUndefined();
    const payload = res.data!.register;
    expect(payload.user).toEqual({
      id: expect.any(String),
      email,
      name: 'Ada Lovelace',
      role: 'CUSTOMER',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
    expect(payload.expiresIn).toBe(900);
    expect(payload.refreshToken).toMatch(new RegExp(`^[0-9a-f-]{36}\\.[A-Za-z0-9_-]{43}$`));

    const caller = await users.callerOf(payload.accessToken);
    expect(caller).toMatchObject({ userId: payload.user.id, role: 'CUSTOMER' });
    const [row] = await users.sql<{ password_hash: string; family_id: string }>(
      'select u.password_hash, t.family_id from users u join refresh_tokens t on t.user_id = u.id where u.id = ?',
      [payload.user.id],
    );
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(row.family_id).toBe(caller.familyId);
  });

  it('refuses a duplicate email (any spelling) with CONFLICT and changes nothing', async () => {
    const email = `${unique('dup')}@example.com`;
    const first = await users.register(email);
    const tokensBefore = await users.countTokens(first.user.id);

    const res = await users.call(REGISTER, { input: { email: email.toUpperCase(), password: 'another password', name: 'X' } });
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.data).toBeNull();
    expect(await users.countUsers(email)).toBe(1);
    expect(await users.countTokens(first.user.id)).toBe(tokensBefore);
  });

  it('lets exactly one of two concurrent registrations with one email win', async () => {
    const email = `${unique('race')}@example.com`;
    const input = { email, password: 'long enough', name: 'Racer' };
    const results = await Promise.all([users.call(REGISTER, { input }), users.call(REGISTER, { input })]);
    expect(results.map((r) => codes(r)[0] ?? 'OK').sort()).toEqual(['CONFLICT', 'OK']);
    expect(await users.countUsers(email)).toBe(1);
  });

  it.each([
    ['email', { email: 'not-an-email' }],
    ['email', { email: 'no spaces@example.com' }],
    ['email', { email: `${'a'.repeat(250)}@example.com` }],
    ['password', { password: 'short' }],
    ['password', { password: 'x'.repeat(1025) }],
    ['name', { name: '   ' }],
    ['name', { name: 'n'.repeat(201) }],
  ])('refuses a bad %s with BAD_USER_INPUT and creates nothing', async (field, bad) => {
    const input = { email: `${unique('bad')}@example.com`, password: 'long enough', name: 'Bad Input', ...bad };
    const res = await users.call(REGISTER, { input });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.field).toBe(field);
    expect(await users.countUsers(input.email.trim().toLowerCase())).toBe(0);
  });
});
