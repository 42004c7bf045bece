import { uuidv7, type EventEnvelope, type Payload } from '@storegraph/common';
import { codes, waitFor } from '@storegraph/common/testing';
import { createApp } from '../../src/app';
import { announcedVersion, defaultAddressReplicated, replicaRow } from '../support/default-address';
import {
  actor, ADDRESS_FIELDS, addToCart, createProduct, gql, ok, registeredShopper, saveAddress, startHarness,
  type Actor, type AddressShape, type Harness,
} from '../support/harness';
import { applied, deliver, publish } from '../support/saga';

/**
 * The address a checkout ships to: named, inline, the default or none, and how it is
 * learnt: orders' copy of each user's default, kept from users' events, which checkout
 * reads when no address is named (asking users nothing); users asked for a named address
 * or when the copy has no row; the copy never moving backwards.
 */

let h: Harness;
let productId: string;
beforeAll(async () => {
  h = await startHarness();
  productId = await createProduct(h, '5.00', 10_000);
});
afterAll(async () => {
  await h?.stop();
});

const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) { id shippingAddress { ${ADDRESS_FIELDS} } } }`;
const ORDER = `query($id: ID!) { order(id: $id) { shippingAddress { ${ADDRESS_FIELDS} } } }`;

const HOME = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };
const WORK = { name: 'Ada at work', line1: '1 Analytical Way', line2: 'Floor 2', city: 'Berlin', region: 'BE', postalCode: '10115', country: 'DE', phone: '+49 30 123456' };
const asShipped = (a: Record<string, unknown>): AddressShape => ({ line2: null, region: null, phone: null, ...a }) as AddressShape;


interface Placed {
  id: string;
  shippingAddress: AddressShape | null;
}

async function checkout(who: Actor, input: Record<string, unknown>): Promise<Placed> {
  await addToCart(h, who, productId, 1);
  return (await ok<{ checkout: Placed }>(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa', ...input } }, who)).checkout;
}

async function orderCount(userId: string): Promise<number> {
  const rows = await h.orders.database.orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from orders where user_id = ?', [userId]);
  return Number(rows[0].n);
}

async function cartLines(userId: string): Promise<number> {
  const rows = await h.orders.database.orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from cart_items where user_id = ?', [userId]);
  return Number(rows[0].n);
}

describe('checkout shipping address', () => {
  it('copies the default address when none is named, and none when the user has no address', async () => {
    const shopper = await registeredShopper(h);
    expect((await checkout(shopper, {})).shippingAddress).toBeNull();
    await saveAddress(h, shopper, HOME);
    await saveAddress(h, shopper, WORK);
    // The default comes from orders' copy, which follows users' events: a checkout at once
    // could still see "none" (docs/decisions.md).
    await defaultAddressReplicated(h.users, h.orders, shopper.userId);
    expect((await checkout(shopper, {})).shippingAddress).toEqual(asShipped(HOME));
    // A user users does not know (no address book) gets none either.
    expect((await checkout(actor(h.secret), {})).shippingAddress).toBeNull();
  });

  it('copies the named address of the caller; a later edit or removal of it does not change the order', async () => {
    const shopper = await registeredShopper(h);
    await saveAddress(h, shopper, HOME);
    const workId = await saveAddress(h, shopper, WORK);
    const placed = await checkout(shopper, { shippingAddressId: workId });
    expect(placed.shippingAddress).toEqual(asShipped(WORK));

    await ok(h.usersUrl, 'mutation($id: ID!, $input: AddressInput!) { updateAddress(id: $id, input: $input) { id } }', { id: workId, input: { ...WORK, city: 'Hamburg' } }, shopper);
    expect((await ok<{ order: Placed }>(h.ordersUrl, ORDER, { id: placed.id }, shopper)).order.shippingAddress).toEqual(asShipped(WORK));
    await ok(h.usersUrl, 'mutation($id: ID!) { removeAddress(id: $id) }', { id: workId }, shopper);
    expect((await ok<{ order: Placed }>(h.ordersUrl, ORDER, { id: placed.id }, shopper)).order.shippingAddress).toEqual(asShipped(WORK));
  });

  it("refuses another user's, an unknown or a malformed address id with NOT_FOUND: no order, cart kept", async () => {
    const owner = await registeredShopper(h);
    const theirs = await saveAddress(h, owner, HOME);
    const shopper = await registeredShopper(h);
    await saveAddress(h, shopper, WORK);
    await addToCart(h, shopper, productId, 1);
    for (const shippingAddressId of [theirs, uuidv7(), 'not-an-id']) {
      const res = await gql(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa', shippingAddressId } }, shopper);
      expect({ shippingAddressId, codes: codes(res) }).toEqual({ shippingAddressId, codes: ['NOT_FOUND'] });
    }
    expect(await orderCount(shopper.userId)).toBe(0);
    expect(await cartLines(shopper.userId)).toBe(1);
  });

  it('takes an inline address, trimmed and checked as users checks one (isDefault ignored), without asking users', async () => {
    // actor(): unknown to users; an inline address needs no address book.
    const who = actor(h.secret);
    const placed = await checkout(who, { shippingAddress: { ...WORK, name: '  Ada at work ', country: 'de', isDefault: true } });
    expect(placed.shippingAddress).toEqual(asShipped(WORK));
  });

  it('refuses an invalid inline address, or both ways at once, with BAD_USER_INPUT: no order, cart kept', async () => {
    const shopper = await registeredShopper(h);
    const saved = await saveAddress(h, shopper, HOME);
    await addToCart(h, shopper, productId, 1);
    for (const input of [
      { shippingAddress: { ...HOME, name: '   ' } },
      { shippingAddress: { ...HOME, country: 'XX' } },
      { shippingAddress: { ...HOME, postalCode: '1'.repeat(21) } },
      { shippingAddress: { ...HOME, phone: 'call me' } },
      { shippingAddress: HOME, shippingAddressId: saved },
    ]) {
      const res = await gql(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa', ...input } }, shopper);
      expect({ input, codes: codes(res) }).toEqual({ input, codes: ['BAD_USER_INPUT'] });
    }
    expect(await orderCount(shopper.userId)).toBe(0);
    expect(await cartLines(shopper.userId)).toBe(1);
  });

  it('replays an idempotency key only with the same address choice; another one is a CONFLICT', async () => {
    const shopper = await registeredShopper(h);
    const home = await saveAddress(h, shopper, HOME);
    const work = await saveAddress(h, shopper, WORK);
    const first = await checkout(shopper, { idempotencyKey: 'addr-key', shippingAddressId: home });
    const again = await ok<{ checkout: Placed }>(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa', idempotencyKey: 'addr-key', shippingAddressId: home } }, shopper);
    expect(again.checkout).toEqual(first);
    const other = await gql(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa', idempotencyKey: 'addr-key', shippingAddressId: work } }, shopper);
    expect(codes(other)).toEqual(['CONFLICT']);
    expect(await orderCount(shopper.userId)).toBe(1);
  });

  it('answers SERVICE_UNAVAILABLE when users cannot be reached and an address must be looked up; nothing is placed', async () => {
    const cut = await createApp({ ...h.config, usersUrl: 'http://127.0.0.1:9/graphql', usersTimeoutMs: 1000 });
    try {
      const url = await cut.listen(0);
      const who = actor(h.secret);
      await addToCart(h, who, productId, 1);
      const res = await gql(url, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, who);
      expect(codes(res)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(await orderCount(who.userId)).toBe(0);
      // An inline address needs no lookup: that checkout goes through.
      const inline = await gql<{ checkout: Placed }>(url, CHECKOUT, { input: { paymentToken: 'tok_visa', shippingAddress: HOME } }, who);
      expect(inline.data?.checkout.shippingAddress).toEqual(asShipped(HOME));
    } finally {
      await cut.stop();
    }
  });
});



/** A checkout with no address named, and the SQL statements users ran for requests meanwhile. */
async function checkoutCountingUsers(who: Actor): Promise<{ shippingAddress: AddressShape | null; usersStatements: number }> {
  await addToCart(h, who, productId, 1);
  const before = h.users.database.queryCount();
  const { checkout } = await ok<{ checkout: { shippingAddress: AddressShape | null } }>(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, who);
  return { shippingAddress: checkout.shippingAddress, usersStatements: h.users.database.queryCount() - before };
}

const updateAddress = (who: Actor, id: string, input: Record<string, unknown>) =>
  ok(h.usersUrl, 'mutation($id: ID!, $input: AddressInput!) { updateAddress(id: $id, input: $input) { id } }', { id, input }, who);
const removeAddress = (who: Actor, id: string) => ok(h.usersUrl, 'mutation($id: ID!) { removeAddress(id: $id) }', { id }, who);

describe("orders' copy of the default address", () => {
  it('is "none" from registration on, and checkout with no address named reads it and asks users nothing', async () => {
    const shopper = await registeredShopper(h);
    expect(await defaultAddressReplicated(h.users, h.orders, shopper.userId)).toEqual({ version: 0, address: null });
    expect(await checkoutCountingUsers(shopper)).toEqual({ shippingAddress: null, usersStatements: 0 });

    await saveAddress(h, shopper, HOME);
    await defaultAddressReplicated(h.users, h.orders, shopper.userId);
    expect(await checkoutCountingUsers(shopper)).toEqual({ shippingAddress: asShipped(HOME), usersStatements: 0 });
  });

  it('follows adding, editing, switching and removing the default; a change to another address announces nothing', async () => {
    const shopper = await registeredShopper(h);
    const replicated = async () => (await defaultAddressReplicated(h.users, h.orders, shopper.userId)).address;

    const home = await saveAddress(h, shopper, HOME);
    expect(await replicated()).toEqual(asShipped(HOME));
    const work = await saveAddress(h, shopper, WORK);
    await updateAddress(shopper, work, { ...WORK, city: 'Hamburg' });
    // Neither touched the default: no announcement.
    expect(await announcedVersion(h.users, shopper.userId)).toBe(1);

    await updateAddress(shopper, home, { ...HOME, city: 'Bath' });
    expect(await replicated()).toEqual(asShipped({ ...HOME, city: 'Bath' }));
    await updateAddress(shopper, work, { ...WORK, isDefault: true });
    expect(await replicated()).toEqual(asShipped(WORK));
    // Removing the default promotes the newest remaining address.
    await removeAddress(shopper, work);
    expect(await replicated()).toEqual(asShipped({ ...HOME, city: 'Bath' }));
    await removeAddress(shopper, home);
    expect(await replicated()).toBeNull();
    expect(await replicaRow(h.orders, shopper.userId)).toEqual({ version: 5, address: null });
  });

  it('reaches orders within the bound after the change commits (well under 3 s with NATS up)', async () => {
    const shopper = await registeredShopper(h);
    await defaultAddressReplicated(h.users, h.orders, shopper.userId);
    await saveAddress(h, shopper, HOME);
    const committed = Date.now();
    await waitFor(async () => (await replicaRow(h.orders, shopper.userId))?.version === 1, { intervalMs: 10, what: 'the new default' });
    expect(Date.now() - committed).toBeLessThan(3000);
  });

  it('applies a redelivered announcement once, and never goes back to an older one arriving late', async () => {
    const userId = uuidv7();
    const announce = (version: number, address: Payload<'users.default-address.changed'>['address']) =>
      publish(h.orders, 'users.default-address.changed', { userId, version, address });
    const v2 = await announce(2, asShipped(WORK));
    await applied(h.orders, v2.id);
    expect(await replicaRow(h.orders, userId)).toEqual({ version: 2, address: asShipped(WORK) });

    // Late: an older version changes nothing (its inbox mark is written all the same).
    const v1 = await announce(1, asShipped(HOME));
    await applied(h.orders, v1.id);
    expect(await replicaRow(h.orders, userId)).toEqual({ version: 2, address: asShipped(WORK) });

    // Redelivered (past JetStream's de-duplication): the inbox skips it.
    const duplicates = h.orders.events.consumer?.counts.duplicate ?? 0;
    await deliver(h.orders, v2 as EventEnvelope, `again-${v2.id}`);
    await waitFor(() => (h.orders.events.consumer?.counts.duplicate ?? 0) > duplicates, { what: 'the redelivery to be skipped' });

    // Two at once, the newer first or not: the newer one stays.
    const [v4, v3] = await Promise.all([announce(4, null), announce(3, asShipped(HOME))]);
    await applied(h.orders, v4.id);
    await applied(h.orders, v3.id);
    expect(await replicaRow(h.orders, userId)).toEqual({ version: 4, address: null });
  });

  it('asks users, and ships to the default exactly, when orders has no row for the user (accounts from before the copy)', async () => {
    const shopper = await registeredShopper(h);
    await saveAddress(h, shopper, HOME);
    await defaultAddressReplicated(h.users, h.orders, shopper.userId);
    await h.orders.database.orm.em.fork().execute('delete from user_default_addresses where user_id = ?', [shopper.userId]);
    const placed = await checkoutCountingUsers(shopper);
    expect(placed.shippingAddress).toEqual(asShipped(HOME));
    expect(placed.usersStatements).toBeGreaterThan(0);
  });

  it('lets a checkout with no address named go through while users is down; one naming an address is SERVICE_UNAVAILABLE', async () => {
    const shopper = await registeredShopper(h);
    const home = await saveAddress(h, shopper, HOME);
    await defaultAddressReplicated(h.users, h.orders, shopper.userId);
    const cut = await createApp({ ...h.config, usersUrl: 'http://127.0.0.1:9/graphql', usersTimeoutMs: 1000 });
    try {
      const url = await cut.listen(0);
      await addToCart(h, shopper, productId, 1);
      const named = await gql(url, CHECKOUT, { input: { paymentToken: 'tok_visa', shippingAddressId: home } }, shopper);
      expect(codes(named)).toEqual(['SERVICE_UNAVAILABLE']);
      const placed = await gql<{ checkout: { shippingAddress: AddressShape } }>(url, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, shopper);
      expect(placed.data?.checkout.shippingAddress).toEqual(asShipped(HOME));
    } finally {
      await cut.stop();
    }
  });
});
