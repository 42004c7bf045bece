import { uuidv7 } from '@storegraph/common';
import { codes } from '@storegraph/common/testing';
import { createApp } from '../../src/app';
import { defaultAddressReplicated } from '../support/default-address';
import {
  actor, ADDRESS_FIELDS, addToCart, createProduct, gql, ok, registeredShopper, saveAddress, startHarness,
  type Actor, type AddressShape, type Harness,
} from '../support/harness';

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
