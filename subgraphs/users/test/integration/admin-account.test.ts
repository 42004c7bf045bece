import { RefreshToken, User } from '../../src/entities';
import { codes, unique } from '@storegraph/common/testing';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { UsersHarness } from '../support/users-harness';

const LOGIN = 'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { user { id role } } }';

describe('the ADMIN account ensured at start', () => {
  const adminEmail = `${unique('boss')}@example.com`;
  let users: UsersHarness;
  beforeAll(async () => {
    users = await UsersHarness.start({ ADMIN_EMAIL: adminEmail.toUpperCase(), ADMIN_PASSWORD: 'first admin password' });
  });
  afterAll(() => users.stop());

  it('is created with role ADMIN and the configured password', async () => {
    const res = await users.call<{ login: { user: { role: string } } }>(LOGIN, { e: adminEmail, p: 'first admin password' });
    expect(res.data?.login.user.role).toBe('ADMIN');
  });

  it('is left alone when already right, so restarts keep the admin signed in', async () => {
    const em = users.app.database.orm.em.fork();
    expect(await ensureAdminAccount(em, { email: adminEmail, password: 'first admin password' })).toBe('unchanged');
  });

  it('takes over an existing account: promoted, password replaced, old sessions revoked', async () => {
    const email = `${unique('taken')}@example.com`;
    const squatter = await users.register(email, 'squatter password');
    const em = users.app.database.orm.em.fork();
    const results = await Promise.all([
      ensureAdminAccount(em.fork(), { email, password: 'operator password' }),
      ensureAdminAccount(em.fork(), { email, password: 'operator password' }),
    ]);
    expect(results).toContain('updated');

    expect(codes(await users.call(LOGIN, { e: email, p: 'squatter password' }))).toEqual(['UNAUTHENTICATED']);
    const login = await users.call<{ login: { user: { id: string; role: string } } }>(LOGIN, { e: email, p: 'operator password' });
    expect(login.data?.login.user).toEqual({ id: squatter.user.id, role: 'ADMIN' });
    const refreshed = await users.call('mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', {
      t: squatter.refreshToken,
    });
    expect(codes(refreshed)).toEqual(['UNAUTHENTICATED']);
  });

  it('is created once when several instances start at once', async () => {
    const email = `${unique('twin')}@example.com`;
    const em = users.app.database.orm.em.fork();
    const results = await Promise.all(
      [1, 2, 3].map(() => ensureAdminAccount(em.fork(), { email, password: 'twin admin password' })),
    );
    expect(results).toContain('created');
    const check = em.fork();
    expect(await check.count(User, { email })).toBe(1);
    expect(await check.count(RefreshToken, { user: { email } })).toBe(0);
  });
});
