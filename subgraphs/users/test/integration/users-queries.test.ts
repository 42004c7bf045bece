import { IDENTITY_HEADER, signIdentity, uuidv7, type Caller } from '@storegraph/common';
import { codes, unique } from '@storegraph/common/testing';
import { UsersHarness } from '../support/users-harness';

const ME = '{ me { id email role } }';
const USER = 'query ($id: ID!) { user(id: $id) { id email name role createdAt } }';
const ENTITIES = 'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id email name } } }';

describe('me, user and User references', () => {
  const adminEmail = `${unique('admin')}@example.com`;
  const adminPassword = 'admin password 123';
  let users: UsersHarness;
  let admin: Caller;

  beforeAll(async () => {
    users = await UsersHarness.start({ ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword });
    const res = await users.call<{ login: { accessToken: string } }>(
      'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: adminEmail, p: adminPassword },
    );
    admin = await users.callerOf(res.data!.login.accessToken);
  });
  afterAll(() => users.stop());

  const customer = async () => {
    const payload = await users.register(`${unique('cust')}@example.com`);
    return { payload, caller: await users.callerOf(payload.accessToken) };
  };

  it('me is null for an anonymous caller and the caller\'s account otherwise', async () => {
    expect(await users.call(ME)).toEqual({ data: { me: null } });
    const { payload, caller } = await customer();
    expect(await users.call(ME, {}, { caller })).toEqual({
      data: { me: { id: payload.user.id, email: payload.user.email, role: 'CUSTOMER' } },
    });
    expect(admin.role).toBe('ADMIN');
  });

  it('user(id) is for ADMIN only', async () => {
    const { payload, caller } = await customer();
    const asAdmin = await users.call(USER, { id: payload.user.id }, { caller: admin });
    expect(asAdmin).toEqual({ data: { user: payload.user } });

    expect(codes(await users.call(USER, { id: payload.user.id }, { caller }))).toEqual(['FORBIDDEN']);
    expect(codes(await users.call(USER, { id: payload.user.id }))).toEqual(['UNAUTHENTICATED']);
    expect(await users.call(USER, { id: uuidv7() }, { caller: admin })).toEqual({ data: { user: null } });
    expect(await users.call(USER, { id: 'not-a-uuid' }, { caller: admin })).toEqual({ data: { user: null } });
  });

  it('ignores a forged or missing identity header: the call is anonymous', async () => {
    const forged = signIdentity('not-the-gateway-secret-at-all-0123456789', { caller: admin, clientIp: null });
    const payload = (await customer()).payload;
    const attempts = [
      await users.callDirect(USER, { id: payload.user.id }, { [IDENTITY_HEADER]: forged }),
      await users.callDirect(USER, { id: payload.user.id }),
    ];
    for (const res of attempts) expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(await users.callDirect(ME, {}, { [IDENTITY_HEADER]: forged })).toEqual({ data: { me: null } });
  });

  it('resolves N User references with one SQL query for an ADMIN', async () => {
    const accounts = await Promise.all([customer(), customer(), customer(), customer()]);
    const reps = [...accounts.map((a) => ({ __typename: 'User', id: a.payload.user.id })), { __typename: 'User', id: uuidv7() }];
    const before = users.app.database.queryCount();
    const res = await users.call<{ _entities: unknown[] }>(ENTITIES, { reps }, { caller: admin });
    expect(users.app.database.queryCount() - before).toBe(1);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([
      ...accounts.map(({ payload }) => ({ id: payload.user.id, email: payload.user.email, name: payload.user.name })),
      null,
    ]);
  });

  it('shows a User reference only to its owner: null for anonymous callers and other customers', async () => {
    const [me, other] = [await customer(), await customer()];
    const reps = [me, other].map((a) => ({ __typename: 'User', id: a.payload.user.id }));

    const anonymous = await users.callDirect<{ _entities: unknown[] }>(ENTITIES, { reps });
    expect(anonymous.data!._entities).toEqual([null, null]);
    const asMe = await users.call<{ _entities: Array<{ id: string } | null> }>(ENTITIES, { reps }, { caller: me.caller });
    expect(asMe.data!._entities).toEqual([expect.objectContaining({ id: me.payload.user.id }), null]);
  });
});
