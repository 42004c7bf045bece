import { codes, unique } from '@storegraph/common/testing';
import {
  actor, addToCart, CHECKOUT, createProduct, gql, ok, startHarness, type Actor, type Harness,
} from '../support/harness';
import {
  applyCoupon, APPLY_COUPON, COUPON_FIELDS, CREATE_COUPON, createCoupon, pricedCart, usesOf, type CouponShape, type PricedCart,
} from '../support/coupons';

let h: Harness;
let admin: Actor;
beforeAll(async () => {
  h = await startHarness();
  admin = actor(h.secret, 'ADMIN');
});
afterAll(async () => {
  await h?.stop();
});

const LIST = `{ coupons { ${COUPON_FIELDS} } }`;
const DEACTIVATE = `mutation($code: String!) { deactivateCoupon(code: $code) { ${COUPON_FIELDS} } }`;
const REMOVE = 'mutation { removeCoupon { coupon discount { amount } total { amount } } }';
const ORDER_PRICING = 'subtotal { amount currency } discount { amount currency } coupon total { amount currency }';
const CHECKOUT_PRICED = `mutation($input: CheckoutInput!) { checkout(input: $input) { id ${ORDER_PRICING} } }`;

async function couponCount(): Promise<number> {
  const rows = await h.orders.database.orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from coupons');
  return Number(rows[0].n);
}

async function ordersOf(userId: string): Promise<number> {
  const rows = await h.orders.database.orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from orders where user_id = ?', [userId]);
  return Number(rows[0].n);
}

/** A fresh shopper whose cart holds `quantity` of a product at `price`. */
async function shopper(price: string, quantity = 1): Promise<{ who: Actor; productId: string }> {
  const who = actor(h.secret);
  const productId = await createProduct(h, price);
  await addToCart(h, who, productId, quantity);
  return { who, productId };
}

async function sql(text: string, params: unknown[] = []): Promise<void> {
  await h.orders.database.orm.em.fork().execute(text, params);
}

describe('createCoupon, deactivateCoupon, coupons', () => {
  it('an ADMIN creates a coupon with every term, and finds it in coupons', async () => {
    const code = unique('Spring');
    const input = {
      code,
      kind: 'FIXED',
      value: '5',
      minSubtotal: '20.5',
      startsAt: '2030-01-01T00:00:00.000Z',
      endsAt: '2030-02-01T00:00:00.000Z',
      maxUses: 100,
      maxUsesPerUser: 1,
    };
    const { createCoupon: created } = await ok<{ createCoupon: CouponShape }>(h.ordersUrl, CREATE_COUPON, { input }, admin);
    expect(created).toEqual({
      code,
      kind: 'FIXED',
      value: '5.00',
      minSubtotal: { amount: '20.50', currency: 'USD' },
      startsAt: '2030-01-01T00:00:00.000Z',
      endsAt: '2030-02-01T00:00:00.000Z',
      maxUses: 100,
      maxUsesPerUser: 1,
      uses: 0,
      active: true,
    });
    const percent = await createCoupon(h, { value: '15' });
    expect(percent).toMatchObject({ kind: 'PERCENT', value: '15', minSubtotal: null, startsAt: null, endsAt: null, maxUses: null });
    const { coupons } = await ok<{ coupons: CouponShape[] }>(h.ordersUrl, LIST, {}, admin);
    // Newest first.
    expect(coupons.findIndex((c) => c.code === percent.code)).toBeLessThan(coupons.findIndex((c) => c.code === code));
    expect(coupons.find((c) => c.code === code)).toEqual(created);
  });

  it('a code taken in any spelling is CONFLICT, also for concurrent creates', async () => {
    const code = unique('Dup');
    await createCoupon(h, { code });
    const before = await couponCount();
    for (const spelling of [code, code.toLowerCase(), code.toUpperCase(), ` ${code} `]) {
      expect(codes(await gql(h.ordersUrl, CREATE_COUPON, { input: { code: spelling, kind: 'PERCENT', value: '5' } }, admin))).toEqual(['CONFLICT']);
    }
    const race = unique('Race');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        gql(h.ordersUrl, CREATE_COUPON, { input: { code: i % 2 ? race.toLowerCase() : race, kind: 'PERCENT', value: '5' } }, admin),
      ),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.flatMap(codes).sort()).toEqual(Array(7).fill('CONFLICT'));
    expect(await couponCount()).toBe(before + 1);
  });

  it.each([
    ['a PERCENT of 0', { kind: 'PERCENT', value: '0' }],
    ['a PERCENT above 100', { kind: 'PERCENT', value: '101' }],
    ['a FIXED of 0', { kind: 'FIXED', value: '0.00' }],
    ['a FIXED that is not an amount', { kind: 'FIXED', value: '5 USD' }],
    ['a window that ends before it starts', { startsAt: '2030-02-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }],
    ['a negative maxUses', { maxUses: -1 }],
    ['a negative maxUsesPerUser', { maxUsesPerUser: -2 }],
    ['a negative minSubtotal', { minSubtotal: '-1.00' }],
    ['a code with spaces', { code: 'TWO WORDS' }],
  ])('refuses %s with BAD_USER_INPUT, creating nothing', async (_what, overrides) => {
    const before = await couponCount();
    const input = { code: unique('Bad'), kind: 'PERCENT', value: '10', ...overrides };
    expect(codes(await gql(h.ordersUrl, CREATE_COUPON, { input }, admin))).toEqual(['BAD_USER_INPUT']);
    expect(await couponCount()).toBe(before);
  });

  it('is ADMIN only: FORBIDDEN for a customer, UNAUTHENTICATED anonymously, and nothing changes', async () => {
    const customer = actor(h.secret);
    const existing = await createCoupon(h);
    const before = await couponCount();
    const input = { code: unique('Mine'), kind: 'PERCENT', value: '50' };
    expect(codes(await gql(h.ordersUrl, CREATE_COUPON, { input }, customer))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.ordersUrl, CREATE_COUPON, { input }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(h.ordersUrl, DEACTIVATE, { code: existing.code }, customer))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.ordersUrl, LIST, {}, customer))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.ordersUrl, LIST, {}))).toEqual(['UNAUTHENTICATED']);
    expect(await couponCount()).toBe(before);
    expect((await ok<{ coupons: CouponShape[] }>(h.ordersUrl, LIST, {}, admin)).coupons.find((c) => c.code === existing.code)?.active).toBe(true);
  });

  it('deactivates by code in any spelling, idempotently; an unknown code is NOT_FOUND', async () => {
    const coupon = await createCoupon(h);
    const first = await ok<{ deactivateCoupon: CouponShape }>(h.ordersUrl, DEACTIVATE, { code: coupon.code.toLowerCase() }, admin);
    expect(first.deactivateCoupon).toEqual({ ...coupon, active: false });
    const again = await ok<{ deactivateCoupon: CouponShape }>(h.ordersUrl, DEACTIVATE, { code: coupon.code }, admin);
    expect(again.deactivateCoupon).toEqual({ ...coupon, active: false });
    expect(codes(await gql(h.ordersUrl, DEACTIVATE, { code: unique('Nope') }, admin))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(h.ordersUrl, DEACTIVATE, { code: 'not a code' }, admin))).toEqual(['NOT_FOUND']);
  });
});

describe('applyCoupon and removeCoupon', () => {
  it('PERCENT: discount and total on the cart, the code matched case-insensitively, and removeCoupon takes it off', async () => {
    const coupon = await createCoupon(h, { value: '15' });
    const { who } = await shopper('9.99', 1);
    const cart = await applyCoupon(h, who, coupon.code.toLowerCase());
    expect(cart).toMatchObject({ subtotal: { amount: '9.99' }, coupon: coupon.code, discount: { amount: '1.50' }, total: { amount: '8.49' } });
    expect(await pricedCart(h, who)).toEqual(cart);
    const removed = await ok<{ removeCoupon: unknown }>(h.ordersUrl, REMOVE, {}, who);
    expect(removed.removeCoupon).toEqual({ coupon: null, discount: { amount: '0.00' }, total: { amount: '9.99' } });
    // Removing again is fine: the cart holds no coupon, as asked.
    expect((await ok<{ removeCoupon: unknown }>(h.ordersUrl, REMOVE, {}, who)).removeCoupon).toEqual(removed.removeCoupon);
  });

  it('FIXED never takes the total below zero, and follows the cart as it changes', async () => {
    const coupon = await createCoupon(h, { kind: 'FIXED', value: '5.00' });
    const { who, productId } = await shopper('3.00', 1);
    expect(await applyCoupon(h, who, coupon.code)).toMatchObject({ subtotal: { amount: '3.00' }, discount: { amount: '3.00' }, total: { amount: '0.00' } });
    await addToCart(h, who, productId, 2);
    expect(await pricedCart(h, who)).toMatchObject({ subtotal: { amount: '9.00' }, discount: { amount: '5.00' }, total: { amount: '4.00' } });
  });

  it('a cart without a coupon shows 0.00 off and total = subtotal; applying another coupon replaces the first', async () => {
    const { who } = await shopper('12.00', 1);
    expect(await pricedCart(h, who)).toMatchObject({ coupon: null, discount: { amount: '0.00' }, total: { amount: '12.00' } });
    const [a, b] = [await createCoupon(h, { value: '10' }), await createCoupon(h, { value: '50' })];
    await applyCoupon(h, who, a.code);
    expect(await applyCoupon(h, who, b.code)).toMatchObject({ coupon: b.code, discount: { amount: '6.00' }, total: { amount: '6.00' } });
  });

  describe('refusals: BAD_USER_INPUT, the cart unchanged', () => {
    async function refusedWithCartUnchanged(who: Actor, code: string): Promise<void> {
      const before = await pricedCart(h, who);
      const res = await gql<{ applyCoupon: PricedCart }>(h.ordersUrl, APPLY_COUPON, { code }, who);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(await pricedCart(h, who)).toEqual(before);
    }

    /** A shopper whose cart already holds a working coupon: a refused apply must not touch it. */
    async function holdingCoupon(price = '10.00'): Promise<Actor> {
      const { who } = await shopper(price, 1);
      await applyCoupon(h, who, (await createCoupon(h, { value: '20' })).code);
      return who;
    }

    it('unknown code', async () => {
      await refusedWithCartUnchanged(await holdingCoupon(), unique('Unknown'));
      await refusedWithCartUnchanged(await holdingCoupon(), 'not even a code!');
    });

    it('inactive', async () => {
      const coupon = await createCoupon(h);
      await ok(h.ordersUrl, DEACTIVATE, { code: coupon.code }, admin);
      await refusedWithCartUnchanged(await holdingCoupon(), coupon.code);
    });

    it('expired', async () => {
      const coupon = await createCoupon(h, { startsAt: '2020-01-01T00:00:00Z', endsAt: new Date(Date.now() - 1000).toISOString() });
      await refusedWithCartUnchanged(await holdingCoupon(), coupon.code);
    });

    it('not yet valid', async () => {
      const coupon = await createCoupon(h, { startsAt: new Date(Date.now() + 3_600_000).toISOString() });
      await refusedWithCartUnchanged(await holdingCoupon(), coupon.code);
    });

    it('below its minSubtotal', async () => {
      const coupon = await createCoupon(h, { minSubtotal: '10.01' });
      const who = await holdingCoupon('10.00');
      await refusedWithCartUnchanged(who, coupon.code);
      await addToCart(h, who, await createProduct(h, '0.01'), 1);
      expect((await applyCoupon(h, who, coupon.code)).coupon).toBe(coupon.code);
    });

    it('used up (maxUses) and used as often as one customer may (maxUsesPerUser)', async () => {
      await refusedWithCartUnchanged(await holdingCoupon(), (await createCoupon(h, { maxUses: 0 })).code);
      const once = await createCoupon(h, { maxUsesPerUser: 1 });
      const { who } = await shopper('4.00');
      await applyCoupon(h, who, once.code);
      await ok(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, who);
      await addToCart(h, who, await createProduct(h, '4.00'), 1);
      await refusedWithCartUnchanged(who, once.code);
      // Another customer may still use it.
      const other = await shopper('4.00');
      expect((await applyCoupon(h, other.who, once.code)).coupon).toBe(once.code);
    });

    it('anonymous callers: UNAUTHENTICATED', async () => {
      const coupon = await createCoupon(h);
      expect(codes(await gql(h.ordersUrl, APPLY_COUPON, { code: coupon.code }))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await gql(h.ordersUrl, REMOVE, {}))).toEqual(['UNAUTHENTICATED']);
    });
  });

  it('a coupon that stops applying stays on the cart and takes off 0.00', async () => {
    const coupon = await createCoupon(h, { value: '10', minSubtotal: '5.00' });
    const { who, productId } = await shopper('5.00', 1);
    await applyCoupon(h, who, coupon.code);
    await ok(h.ordersUrl, 'mutation($p: ID!) { updateCartItem(productId: $p, quantity: 0) { subtotal { amount } } }', { p: productId }, who);
    await addToCart(h, who, await createProduct(h, '4.00'), 1);
    expect(await pricedCart(h, who)).toMatchObject({ coupon: coupon.code, subtotal: { amount: '4.00' }, discount: { amount: '0.00' }, total: { amount: '4.00' } });
  });
});

describe('checkout with a coupon', () => {
  it('freezes subtotal, discount, coupon and total = subtotal - discount, takes a use and clears the cart coupon', async () => {
    const coupon = await createCoupon(h, { value: '25', maxUses: 5 });
    const { who } = await shopper('7.99', 3); // 23.97, 25% = 5.9925 -> 5.99
    await applyCoupon(h, who, coupon.code);
    const { checkout } = await ok<{ checkout: Record<string, unknown> }>(h.ordersUrl, CHECKOUT_PRICED, { input: { paymentToken: 'tok_visa' } }, who);
    expect(checkout).toMatchObject({
      subtotal: { amount: '23.97', currency: 'USD' },
      discount: { amount: '5.99', currency: 'USD' },
      coupon: coupon.code,
      total: { amount: '17.98', currency: 'USD' },
    });
    expect(await usesOf(h, coupon.code)).toBe(1);
    expect(await pricedCart(h, who)).toEqual({ items: [], subtotal: { amount: '0.00' }, coupon: null, discount: { amount: '0.00' }, total: { amount: '0.00' } });
    // Deactivating the coupon later changes nothing on the order.
    await ok(h.ordersUrl, DEACTIVATE, { code: coupon.code }, admin);
    const { order } = await ok<{ order: unknown }>(h.ordersUrl, `query($id: ID!) { order(id: $id) { ${ORDER_PRICING} } }`, { id: checkout.id }, who);
    expect(order).toEqual({
      subtotal: { amount: '23.97', currency: 'USD' },
      discount: { amount: '5.99', currency: 'USD' },
      coupon: coupon.code,
      total: { amount: '17.98', currency: 'USD' },
    });
  });

  it('an order without a coupon: discount 0.00, coupon null, subtotal = total', async () => {
    const { who } = await shopper('2.50', 2);
    const { checkout } = await ok<{ checkout: Record<string, unknown> }>(h.ordersUrl, CHECKOUT_PRICED, { input: { paymentToken: 'tok_visa' } }, who);
    expect(checkout).toMatchObject({
      subtotal: { amount: '5.00' },
      discount: { amount: '0.00' },
      coupon: null,
      total: { amount: '5.00' },
    });
  });

  it.each([
    ['deactivated', (code: string) => sql('update coupons set active = false where code = ?', [code])],
    ['expired', (code: string) => sql("update coupons set starts_at = now() - interval '2 hours', ends_at = now() - interval '1 hour' where code = ?", [code])],
    ['not yet valid', (code: string) => sql("update coupons set starts_at = now() + interval '1 hour' where code = ?", [code])],
    ['below its minSubtotal', (code: string) => sql('update coupons set min_subtotal_minor = 100000 where code = ?', [code])],
    ['used up', (code: string) => sql('update coupons set max_uses = 0 where code = ?', [code])],
  ])('a cart holding a coupon that became %s since it was applied is CONFLICT, cart and coupon unchanged', async (_what, change) => {
    const coupon = await createCoupon(h);
    const { who } = await shopper('10.00', 1);
    await applyCoupon(h, who, coupon.code);
    await change(coupon.code);
    const before = await pricedCart(h, who);
    expect(codes(await gql(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, who))).toEqual(['CONFLICT']);
    expect(await pricedCart(h, who)).toEqual(before);
    expect(before.coupon).toBe(coupon.code);
    expect(await ordersOf(who.userId)).toBe(0);
    expect(await usesOf(h, coupon.code)).toBe(0);
  });

  it('maxUses 1 and 20 users checking out at once: exactly one order gets the discount, the others CONFLICT with carts unchanged', async () => {
    const coupon = await createCoupon(h, { value: '50', maxUses: 1 });
    const shoppers = await Promise.all(Array.from({ length: 20 }, () => shopper('8.00', 1)));
    for (const s of shoppers) await applyCoupon(h, s.who, coupon.code);
    const before = await Promise.all(shoppers.map((s) => pricedCart(h, s.who)));
    const results = await Promise.all(
      shoppers.map((s) => gql<{ checkout: { id: string; discount: { amount: string }; total: { amount: string } } }>(
        h.ordersUrl, CHECKOUT_PRICED, { input: { paymentToken: 'tok_visa' } }, s.who)),
    );
    const placed = results.filter((r) => !r.errors);
    expect(placed).toHaveLength(1);
    expect(placed[0].data?.checkout).toMatchObject({ discount: { amount: '4.00' }, total: { amount: '4.00' } });
    expect(results.filter((r) => r.errors).map((r) => codes(r))).toEqual(Array(19).fill(['CONFLICT']));
    for (const [i, s] of shoppers.entries()) {
      if (results[i].errors) {
        expect(await pricedCart(h, s.who)).toEqual({ ...before[i], discount: { amount: '0.00' }, total: { amount: '8.00' } });
        expect(await ordersOf(s.who.userId)).toBe(0);
      }
    }
    expect(await usesOf(h, coupon.code)).toBe(1);
  });

  it('maxUsesPerUser 1 and one user checking out 20 times at once: one order with the discount, a use counted once', async () => {
    const coupon = await createCoupon(h, { value: '10', maxUsesPerUser: 1 });
    const { who } = await shopper('10.00', 2);
    await applyCoupon(h, who, coupon.code);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => gql<{ checkout: { discount: { amount: string } } }>(h.ordersUrl, CHECKOUT_PRICED, { input: { paymentToken: 'tok_visa' } }, who)),
    );
    const placed = results.filter((r) => !r.errors);
    expect(placed.map((r) => r.data?.checkout.discount.amount)).toEqual(['2.00']);
    // The others found the cart they priced gone: an empty cart, nothing ordered.
    expect(results.filter((r) => r.errors).map((r) => codes(r))).toEqual(Array(19).fill(['BAD_USER_INPUT']));
    expect(await ordersOf(who.userId)).toBe(1);
    expect(await usesOf(h, coupon.code)).toBe(1);
  });

  it("maxUsesPerUser 1: a cart still holding the coupon after its owner's first order (an apply that raced it) is CONFLICT at every concurrent checkout", async () => {
    const coupon = await createCoupon(h, { value: '10', maxUsesPerUser: 1 });
    const { who } = await shopper('10.00', 1);
    await applyCoupon(h, who, coupon.code);
    await ok(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, who);
    // What an applyCoupon that checked before that order committed and wrote after it leaves behind.
    await sql('insert into cart_coupons (user_id, coupon_id) select ?, id from coupons where code = ?', [who.userId, coupon.code]);
    await addToCart(h, who, await createProduct(h, '6.00'), 1);
    const before = await pricedCart(h, who);
    expect(before).toMatchObject({ coupon: coupon.code, discount: { amount: '0.00' } });
    const results = await Promise.all(Array.from({ length: 10 }, () => gql(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, who)));
    expect(results.map((r) => codes(r))).toEqual(Array(10).fill(['CONFLICT']));
    expect(await pricedCart(h, who)).toEqual(before);
    expect(await ordersOf(who.userId)).toBe(1);
    expect(await usesOf(h, coupon.code)).toBe(1);
  });

  it('maxUses 3 and 12 users at once: exactly 3 orders hold it', async () => {
    const coupon = await createCoupon(h, { kind: 'FIXED', value: '1.00', maxUses: 3 });
    const shoppers = await Promise.all(Array.from({ length: 12 }, () => shopper('5.00', 1)));
    for (const s of shoppers) await applyCoupon(h, s.who, coupon.code);
    const results = await Promise.all(shoppers.map((s) => gql(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, s.who)));
    expect(results.filter((r) => !r.errors)).toHaveLength(3);
    expect(results.flatMap(codes)).toEqual(Array(9).fill('CONFLICT'));
    expect(await usesOf(h, coupon.code)).toBe(3);
  });
});

describe('statements', () => {
  async function statementsFor(query: string, who: Actor): Promise<number> {
    const before = h.orders.database.queryCount();
    await ok(h.ordersUrl, query, {}, who);
    return h.orders.database.queryCount() - before;
  }

  it('coupons costs one statement however many coupons there are', async () => {
    const one = await statementsFor(LIST, admin);
    await Promise.all(Array.from({ length: 10 }, () => createCoupon(h)));
    expect(one).toBe(1);
    expect(await statementsFor(LIST, admin)).toBe(1);
  });

  it('a cart with its coupon, discount and total costs the lines and one read of the coupon', async () => {
    const { who } = await shopper('10.00', 1);
    await addToCart(h, who, await createProduct(h, '2.00'), 3);
    await applyCoupon(h, who, (await createCoupon(h)).code);
    expect(await statementsFor('{ cart { subtotal { amount } coupon discount { amount } total { amount } } }', who)).toBe(2);
    // Without the coupon fields, no read of the coupon at all.
    expect(await statementsFor('{ cart { items { quantity } subtotal { amount } } }', who)).toBe(1);
  });
});
