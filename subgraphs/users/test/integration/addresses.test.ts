import type { Caller } from '@storegraph/common';
import { codes, unique } from '@storegraph/common/testing';
import { UsersHarness } from '../support/users-harness';

const FIELDS = 'id name line1 line2 city region postalCode country phone isDefault';
const ADD = `mutation ($input: AddressInput!) { addAddress(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: AddressInput!) { updateAddress(id: $id, input: $input) { ${FIELDS} } }`;
const REMOVE = 'mutation ($id: ID!) { removeAddress(id: $id) }';
const MINE = `{ me { addresses { ${FIELDS} } } }`;
const THEIRS = `query ($id: ID!) { user(id: $id) { id addresses { ${FIELDS} } } }`;
const MAX = 4;

interface AddressShape {
  id: string;
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
  isDefault: boolean;
}

const HOME = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

describe('addresses', () => {
  let users: UsersHarness;
  beforeAll(async () => {
    users = await UsersHarness.start({ MAX_ADDRESSES_PER_USER: String(MAX) });
  });
  afterAll(() => users.stop());

  async function shopper(): Promise<Caller> {
    const auth = await users.register(`${unique('addr')}@example.com`);
    return users.callerOf(auth.accessToken);
  }
  async function add(caller: Caller, input: Record<string, unknown>): Promise<AddressShape> {
    const res = await users.call<{ addAddress: AddressShape }>(ADD, { input }, { caller });
    if (!res.data?.addAddress) throw new Error(`addAddress failed: ${JSON.stringify(res.errors)}`);
    return res.data.addAddress;
  }
  async function mine(caller: Caller): Promise<AddressShape[]> {
    const res = await users.call<{ me: { addresses: AddressShape[] } }>(MINE, {}, { caller });
    expect(res.errors).toBeUndefined();
    return res.data!.me.addresses;
  }
  const rowCount = async (userId: string) =>
    Number((await users.sql<{ n: string }>('select count(*) as n from addresses where user_id = ?', [userId]))[0].n);

  it('stores a trimmed address; the first becomes the default whatever isDefault says', async () => {
    const caller = await shopper();
    const first = await add(caller, { ...HOME, name: '  Ada Lovelace ', country: 'gb', line2: '  ', phone: '+44 20 7946 0958', isDefault: false });
    expect(first).toEqual({
      id: expect.any(String), ...HOME, line2: null, region: null, phone: '+44 20 7946 0958', isDefault: true,
    });
    expect(await mine(caller)).toEqual([first]);
  });

  it('lists the default first; isDefault moves the default, leaving exactly one', async () => {
    const caller = await shopper();
    const a = await add(caller, { ...HOME, line1: 'A street 1' });
    const b = await add(caller, { ...HOME, line1: 'B street 2' });
    const c = await add(caller, { ...HOME, line1: 'C street 3', isDefault: true });
    expect(b.isDefault).toBe(false);
    expect((await mine(caller)).map((x) => [x.id, x.isDefault])).toEqual([[c.id, true], [b.id, false], [a.id, false]]);

    const res = await users.call<{ updateAddress: AddressShape }>(UPDATE, { id: a.id, input: { ...HOME, city: 'Bath', isDefault: true } }, { caller });
    expect(res.data!.updateAddress).toMatchObject({ id: a.id, city: 'Bath', line1: HOME.line1, isDefault: true });
    expect((await mine(caller)).map((x) => [x.id, x.isDefault])).toEqual([[a.id, true], [c.id, false], [b.id, false]]);

    // isDefault false on the default leaves it the default: a user with addresses keeps one
    await users.call(UPDATE, { id: a.id, input: { ...HOME, isDefault: false } }, { caller });
    expect((await mine(caller))[0]).toMatchObject({ id: a.id, isDefault: true });
  });

  it('keeps exactly one default under concurrent adds with isDefault', async () => {
    const caller = await shopper();
    const results = await Promise.all(
      [1, 2, 3].map((n) => users.call<{ addAddress: AddressShape }>(ADD, { input: { ...HOME, line1: `Race ${n}`, isDefault: true } }, { caller })),
    );
    expect(results.map((r) => codes(r))).toEqual([[], [], []]);
    const listed = await mine(caller);
    expect(listed).toHaveLength(3);
    expect(listed.filter((x) => x.isDefault)).toHaveLength(1);
    expect(listed[0].isDefault).toBe(true);
  });

  it('makes exactly one of concurrent first addresses the default', async () => {
    const caller = await shopper();
    await Promise.all([1, 2].map((n) => add(caller, { ...HOME, line1: `First ${n}` })));
    expect((await mine(caller)).map((x) => x.isDefault).sort()).toEqual([false, true]);
  });

  it('the database refuses a second default even past the service', async () => {
    const caller = await shopper();
    const a = await add(caller, HOME);
    const b = await add(caller, { ...HOME, line1: 'Other 1' });
    expect(a.isDefault).toBe(true);
    await expect(users.sql('update addresses set is_default = true where id = ?', [b.id])).rejects.toThrow(/addresses_one_default_per_user/);
  });

  it('removing the default promotes the newest remaining address; removing the last leaves none', async () => {
    const caller = await shopper();
    const a = await add(caller, { ...HOME, line1: 'Oldest 1' });
    const b = await add(caller, { ...HOME, line1: 'Newest 2' });
    const c = await add(caller, { ...HOME, line1: 'Middle 3' });
    await users.call(UPDATE, { id: c.id, input: { ...HOME, line1: 'Middle 3' } }, { caller });
    await users.sql("update addresses set created_at = now() - interval '1 hour' where id = ?", [c.id]);
    expect(await users.call(REMOVE, { id: a.id }, { caller })).toEqual({ data: { removeAddress: true } });
    expect((await mine(caller)).map((x) => [x.id, x.isDefault])).toEqual([[b.id, true], [c.id, false]]);
    await users.call(REMOVE, { id: b.id }, { caller });
    await users.call(REMOVE, { id: c.id }, { caller });
    expect(await mine(caller)).toEqual([]);
    // and the next one is the default again
    expect((await add(caller, HOME)).isDefault).toBe(true);
  });

  it('refuses more than MAX_ADDRESSES_PER_USER (CONFLICT), also when added concurrently', async () => {
    const caller = await shopper();
    const results = await Promise.all(
      Array.from({ length: MAX + 2 }, (_, n) => users.call(ADD, { input: { ...HOME, line1: `Street ${n}` } }, { caller })),
    );
    expect(results.map((r) => codes(r)[0] ?? 'OK').sort()).toEqual(['CONFLICT', 'CONFLICT', ...Array(MAX).fill('OK')]);
    expect(await rowCount(caller.userId)).toBe(MAX);
  });

  it.each([
    ['name', { name: '  ' }],
    ['line1', { line1: '' }],
    ['city', { city: ' ' }],
    ['postalCode', { postalCode: '' }],
    ['name', { name: 'x'.repeat(201) }],
    ['line2', { line2: 'x'.repeat(201) }],
    ['region', { region: 'x'.repeat(101) }],
    ['postalCode', { postalCode: '1'.repeat(21) }],
    ['country', { country: 'XX' }],
    ['country', { country: 'UK' }],
    ['country', { country: 'GBR' }],
    ['country', { country: '' }],
    ['phone', { phone: 'call me maybe' }],
    ['phone', { phone: '1'.repeat(33) }],
  ])('refuses a bad %s (BAD_USER_INPUT naming it) in add and update, changing nothing', async (field, change) => {
    const caller = await shopper();
    const added = await users.call(ADD, { input: { ...HOME, ...change } }, { caller });
    expect(codes(added)).toEqual(['BAD_USER_INPUT']);
    expect(added.errors![0].extensions!.field).toBe(field);
    expect(await rowCount(caller.userId)).toBe(0);

    const kept = await add(caller, HOME);
    const updated = await users.call(UPDATE, { id: kept.id, input: { ...HOME, ...change } }, { caller });
    expect(codes(updated)).toEqual(['BAD_USER_INPUT']);
    expect(updated.errors![0].extensions!.field).toBe(field);
    expect(await mine(caller)).toEqual([kept]);
  });

  it('answers another user\'s address id (or an unknown or malformed one) NOT_FOUND, changing nothing; ADMIN included', async () => {
    const owner = await shopper();
    const other = await shopper();
    const admin: Caller = { ...other, role: 'ADMIN' };
    const theirs = await add(owner, HOME);
    for (const caller of [other, admin]) {
      for (const id of [theirs.id, '00000000-0000-7000-8000-000000000000', 'not-an-id']) {
        expect(codes(await users.call(UPDATE, { id, input: { ...HOME, city: 'Stolen' } }, { caller }))).toEqual(['NOT_FOUND']);
        expect(codes(await users.call(REMOVE, { id }, { caller }))).toEqual(['NOT_FOUND']);
      }
    }
    expect(await mine(owner)).toEqual([theirs]);
  });

  it('shows User.addresses to the owner and ADMIN only; mutations need a signed-in caller', async () => {
    const owner = await shopper();
    const mineAddress = await add(owner, HOME);
    const adminAuth = await users.register(`${unique('adm')}@example.com`);
    const admin: Caller = { ...(await users.callerOf(adminAuth.accessToken)), role: 'ADMIN' };
    const seen = await users.call<{ user: { addresses: AddressShape[] } }>(THEIRS, { id: owner.userId }, { caller: admin });
    expect(seen.data!.user.addresses).toEqual([mineAddress]);

    // another user asking for the User entity (as the gateway does for Order.user) gets null, so never the field
    const stranger = await shopper();
    const entities = await users.call<{ _entities: Array<{ addresses: AddressShape[] } | null> }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { addresses { id } } } }`,
      { reps: [{ __typename: 'User', id: owner.userId }] },
      { caller: stranger },
    );
    expect(entities.data?._entities).toEqual([null]);

    for (const [query, variables] of [[ADD, { input: HOME }], [UPDATE, { id: mineAddress.id, input: HOME }], [REMOVE, { id: mineAddress.id }]] as const) {
      expect(codes(await users.call(query, variables))).toEqual(['UNAUTHENTICATED']);
    }
  });
});
