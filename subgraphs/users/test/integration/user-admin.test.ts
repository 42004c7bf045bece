import { revocationKeys, uuidv7, type Caller } from '@storegraph/common';
import { codes, testDatabaseUrl, unique } from '@storegraph/common/testing';
import { AUTH_FIELDS, UsersHarness, type AuthPayloadShape } from '../support/users-harness';

const USERS = `query ($first: Int, $after: String, $filter: UserFilter) {
  users(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id email name role disabled } }
  }
}`;
const SET_ROLE = 'mutation ($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { id role disabled } }';
const SET_DISABLED = 'mutation ($id: ID!, $d: Boolean!) { setUserDisabled(userId: $id, disabled: $d) { id role disabled } }';
const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const AUDIT = `query ($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id at action targetType targetId details actor { id email } } }
  }
}`;

interface UserNode {
  id: string;
  email: string;
  name: string;
  role: string;
  disabled: boolean;
}
interface UsersPage {
  users: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: UserNode }> };
}
interface AuditPage {
  auditLog: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ node: { id: string; at: string; action: string; targetType: string; targetId: string; details: string; actor: { id: string; email: string } } }>;
  };
}

/**
 * Users' ADMIN view of accounts. A database of its own: the "last enabled ADMIN" rule
 * counts every ADMIN in it, so no other suite's admins may be there.
 */
describe('Query.users, setUserRole, setUserDisabled', () => {
  const adminEmail = `${unique('admin')}@example.com`;
  const adminPassword = 'admin password 123';
  const tag = unique('people').toLowerCase();
  let users: UsersHarness;
  let admin: Caller;

  beforeAll(async () => {
    users = await UsersHarness.start({
      USERS_DATABASE_URL: testDatabaseUrl('users_admin'),
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: adminPassword,
    });
    // Admins of earlier runs of this file: the rule below must see exactly one.
    await users.sql("update users set role = 'CUSTOMER' where role = 'ADMIN' and email <> ?", [adminEmail]);
    const res = await users.call<{ login: AuthPayloadShape }>(LOGIN, { e: adminEmail, p: adminPassword });
    admin = await users.callerOf(res.data!.login.accessToken);
  });
  afterAll(() => users.stop());

  const customer = async (name = 'Test User', email = `${unique('cust')}@example.com`) => {
    const payload = await users.register(email, 'correct horse battery', name);
    return { payload, caller: await users.callerOf(payload.accessToken) };
  };
  const auditOf = async (targetId: string) =>
    (await users.call<AuditPage>(AUDIT, { filter: { targetId } }, { caller: admin })).data!.auditLog;

  it('lists users newest first, searching email and name case-insensitively, filtering by role, in pages', async () => {
    const a = await customer(`Ada ${tag}`);
    const b = await customer('Bob Plain', `${tag}-bob@example.com`);
    const c = await customer(`CAROL ${tag.toUpperCase()}`);
    await customer('Nobody Else');

    const all = await users.call<UsersPage>(USERS, { filter: { search: tag } }, { caller: admin });
    expect(all.errors).toBeUndefined();
    expect(all.data!.users.totalCount).toBe(3);
    expect(all.data!.users.edges.map((e) => e.node.id)).toEqual([c.payload.user.id, b.payload.user.id, a.payload.user.id]);
    expect(all.data!.users.edges[0].node).toMatchObject({ role: 'CUSTOMER', disabled: false });

    const first = await users.call<UsersPage>(USERS, { first: 2, filter: { search: tag } }, { caller: admin });
    expect(first.data!.users.pageInfo.hasNextPage).toBe(true);
    const second = await users.call<UsersPage>(
      USERS,
      { first: 2, after: first.data!.users.pageInfo.endCursor, filter: { search: tag } },
      { caller: admin },
    );
    expect(second.data!.users.edges.map((e) => e.node.id)).toEqual([a.payload.user.id]);
    expect(second.data!.users).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false } });

    const admins = await users.call<UsersPage>(USERS, { filter: { role: 'ADMIN' } }, { caller: admin });
    expect(admins.data!.users.edges.map((e) => e.node.email)).toEqual([adminEmail]);
    const adminsMatching = await users.call<UsersPage>(USERS, { filter: { role: 'ADMIN', search: tag } }, { caller: admin });
    expect(adminsMatching.data!.users.totalCount).toBe(0);

    // LIKE's wildcards are searched for as characters, not as patterns.
    const wild = await users.call<UsersPage>(USERS, { filter: { search: '%' } }, { caller: admin });
    expect(wild.data!.users.totalCount).toBe(0);
  });

  it('refuses customers, anonymous callers, bad filters, bad cursors and page sizes', async () => {
    const { caller } = await customer();
    expect(codes(await users.call(USERS, {}, { caller }))).toEqual(['FORBIDDEN']);
    expect(codes(await users.call(USERS))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await users.call(USERS, { filter: { search: '   ' } }, { caller: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await users.call(USERS, { filter: { search: 'x'.repeat(201) } }, { caller: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await users.call(USERS, { filter: { role: 'OWNER' } }, { caller: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await users.call(USERS, { after: 'nonsense' }, { caller: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await users.call(USERS, { first: 0 }, { caller: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await users.call(USERS, { first: 101 }, { caller: admin }))).toEqual(['BAD_USER_INPUT']);
  });

  it('setUserRole changes the role, ends the user\'s logins and records before/after with the actor', async () => {
    const { payload, caller } = await customer();
    const res = await users.call<{ setUserRole: UserNode }>(SET_ROLE, { id: payload.user.id, role: 'ADMIN' }, { caller: admin });
    expect(res.data!.setUserRole).toEqual({ id: payload.user.id, role: 'ADMIN', disabled: false });
    // The old login's refresh token is dead and its family revoked in Redis (tokens carry the old role).
    expect(codes(await users.call(REFRESH, { t: payload.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect(await users.redis.exists(revocationKeys.family(caller.familyId!))).toBe(1);

    const log = await auditOf(payload.user.id);
    expect(log.totalCount).toBe(1);
    expect(log.edges[0].node).toMatchObject({ action: 'user.role_changed', targetType: 'User', targetId: payload.user.id, actor: { id: admin.userId } });
    expect(JSON.parse(log.edges[0].node.details)).toEqual({ before: { role: 'CUSTOMER' }, after: { role: 'ADMIN' } });

    // Setting the role it has changes nothing and records nothing.
    const again = await users.call<{ setUserRole: UserNode }>(SET_ROLE, { id: payload.user.id, role: 'ADMIN' }, { caller: admin });
    expect(again.data!.setUserRole.role).toBe('ADMIN');
    expect((await auditOf(payload.user.id)).totalCount).toBe(1);
    // Back to CUSTOMER for the next tests' count of admins.
    await users.call(SET_ROLE, { id: payload.user.id, role: 'CUSTOMER' }, { caller: admin });
  });

  it('setUserDisabled: no login (FORBIDDEN after the right password), no refresh, every login revoked; enabling lets them in again', async () => {
    const email = `${unique('dis')}@example.com`;
    const { payload, caller } = await customer('To Disable', email);
    const second = await users.call<{ login: AuthPayloadShape }>(LOGIN, { e: email, p: 'correct horse battery' });
    const secondCaller = await users.callerOf(second.data!.login.accessToken);

    const res = await users.call<{ setUserDisabled: UserNode }>(SET_DISABLED, { id: payload.user.id, d: true }, { caller: admin });
    expect(res.data!.setUserDisabled).toEqual({ id: payload.user.id, role: 'CUSTOMER', disabled: true });

    const login = await users.call(LOGIN, { e: email, p: 'correct horse battery' });
    expect(codes(login)).toEqual(['FORBIDDEN']);
    // A wrong password still says only "wrong": the disabled state is no oracle for guessers.
    expect(codes(await users.call(LOGIN, { e: email, p: 'wrong password here' }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await users.call(REFRESH, { t: payload.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await users.call(REFRESH, { t: second.data!.login.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    for (const family of [caller.familyId!, secondCaller.familyId!]) {
      expect(await users.redis.exists(revocationKeys.family(family))).toBe(1);
      expect(await users.sql('select published_at is not null as pushed from revocations where key = ?', [revocationKeys.family(family)])).toEqual([
        { pushed: true },
      ]);
    }

    const enabled = await users.call<{ setUserDisabled: UserNode }>(SET_DISABLED, { id: payload.user.id, d: false }, { caller: admin });
    expect(enabled.data!.setUserDisabled.disabled).toBe(false);
    const back = await users.call<{ login: AuthPayloadShape }>(LOGIN, { e: email, p: 'correct horse battery' });
    expect(back.errors).toBeUndefined();

    const log = await auditOf(payload.user.id);
    expect(log.edges.map((e) => e.node.action)).toEqual(['user.enabled', 'user.disabled']);
    expect(log.edges.map((e) => JSON.parse(e.node.details))).toEqual([
      { before: { disabled: true }, after: { disabled: false } },
      { before: { disabled: false }, after: { disabled: true } },
    ]);
  });

  it('never leaves the store without an enabled ADMIN: CONFLICT, nothing changed, nothing recorded', async () => {
    const before = await auditOf(admin.userId);
    expect(codes(await users.call(SET_ROLE, { id: admin.userId, role: 'CUSTOMER' }, { caller: admin }))).toEqual(['CONFLICT']);
    expect(codes(await users.call(SET_DISABLED, { id: admin.userId, d: true }, { caller: admin }))).toEqual(['CONFLICT']);
    expect(await users.sql('select role, disabled from users where id = ?', [admin.userId])).toEqual([{ role: 'ADMIN', disabled: false }]);
    expect((await auditOf(admin.userId)).totalCount).toBe(before.totalCount);

    // With a second ADMIN, the first may step down (and is then signed out like anyone).
    const other = await customer();
    await users.call(SET_ROLE, { id: other.payload.user.id, role: 'ADMIN' }, { caller: admin });
    const demoted = await users.call<{ setUserRole: UserNode }>(SET_ROLE, { id: admin.userId, role: 'CUSTOMER' }, { caller: admin });
    expect(demoted.data!.setUserRole.role).toBe('CUSTOMER');
    // Now the other is the last one: disabling them is refused as well.
    expect(codes(await users.call(SET_DISABLED, { id: other.payload.user.id, d: true }, { caller: admin }))).toEqual(['CONFLICT']);
    // Restore: the other ADMIN promotes the first again and steps down.
    const otherAdmin: Caller = { ...other.caller, role: 'ADMIN' };
    await users.call(SET_ROLE, { id: admin.userId, role: 'ADMIN' }, { caller: otherAdmin });
    await users.call(SET_ROLE, { id: other.payload.user.id, role: 'CUSTOMER' }, { caller: otherAdmin });
    expect(await users.sql("select count(*)::int as n from users where role = 'ADMIN' and not disabled")).toEqual([{ n: 1 }]);
  });

  it('two ADMINs demoting each other at once: one wins, one ADMIN remains', async () => {
    const other = await customer();
    await users.call(SET_ROLE, { id: other.payload.user.id, role: 'ADMIN' }, { caller: admin });
    const otherAdmin: Caller = { ...other.caller, role: 'ADMIN' };
    const results = await Promise.all([
      users.call(SET_ROLE, { id: other.payload.user.id, role: 'CUSTOMER' }, { caller: admin }),
      users.call(SET_ROLE, { id: admin.userId, role: 'CUSTOMER' }, { caller: otherAdmin }),
    ]);
    expect(results.map((r) => codes(r)).sort()).toEqual([[], ['CONFLICT']]);
    expect(await users.sql("select count(*)::int as n from users where role = 'ADMIN' and not disabled")).toEqual([{ n: 1 }]);
    // Restore the first as the one ADMIN.
    const [{ id: remaining }] = await users.sql<{ id: string }>("select id from users where role = 'ADMIN' and not disabled");
    if (remaining !== admin.userId) {
      const remainingAdmin: Caller = { ...other.caller, role: 'ADMIN' };
      await users.call(SET_ROLE, { id: admin.userId, role: 'ADMIN' }, { caller: remainingAdmin });
      await users.call(SET_ROLE, { id: remaining, role: 'CUSTOMER' }, { caller: remainingAdmin });
    }
  });

  it('refuses customers (FORBIDDEN), unknown users (NOT_FOUND) and bad roles (BAD_USER_INPUT), changing nothing', async () => {
    const { payload, caller } = await customer();
    expect(codes(await users.call(SET_ROLE, { id: payload.user.id, role: 'ADMIN' }, { caller }))).toEqual(['FORBIDDEN']);
    expect(codes(await users.call(SET_DISABLED, { id: payload.user.id, d: true }, { caller }))).toEqual(['FORBIDDEN']);
    expect(codes(await users.call(SET_DISABLED, { id: payload.user.id, d: true }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await users.call(SET_ROLE, { id: uuidv7(), role: 'ADMIN' }, { caller: admin }))).toEqual(['NOT_FOUND']);
    expect(codes(await users.call(SET_DISABLED, { id: 'not-a-uuid', d: true }, { caller: admin }))).toEqual(['NOT_FOUND']);
    expect(codes(await users.call(SET_ROLE, { id: payload.user.id, role: 'ROOT' }, { caller: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(await users.sql('select role, disabled from users where id = ?', [payload.user.id])).toEqual([{ role: 'CUSTOMER', disabled: false }]);
    expect((await auditOf(payload.user.id)).totalCount).toBe(0);
    // A customer sees their own flag; not anyone else's.
    const other = await customer();
    const FLAG = 'query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { disabled } } }';
    expect((await users.call<{ _entities: Array<{ disabled: boolean }> }>(FLAG, { id: payload.user.id }, { caller })).data!._entities).toEqual([
      { disabled: false },
    ]);
    expect((await users.call<{ _entities: unknown[] }>(FLAG, { id: other.payload.user.id }, { caller })).data!._entities).toEqual([null]);
  });
});
