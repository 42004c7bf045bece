import { codes, type GraphQLResponse } from '@storegraph/common/testing';
import { createApp, type OrdersApp } from '../../src/app';
import {
  actor, addToCart, CART_FIELDS, CHECKOUT, createProduct, gql, startHarness, type Actor, type CartShape, type Harness,
} from '../support/harness';

const WINDOW = 600;
const ADD = `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { ${CART_FIELDS} } }`;
const CART = `{ cart { ${CART_FIELDS} } }`;

let h: Harness;
let product: string;
beforeAll(async () => {
  h = await startHarness({
    env: {
      RATE_LIMIT_MULTIPLIER: '1',
      ADD_TO_CART_RATE_LIMIT: '3',
      ADD_TO_CART_RATE_WINDOW_SECONDS: String(WINDOW),
      CHECKOUT_RATE_LIMIT: '2',
      CHECKOUT_RATE_WINDOW_SECONDS: String(WINDOW),
    },
  });
  product = await createProduct(h, '4.00', 1000);
});
afterAll(async () => {
  await h?.stop();
});

function expectRateLimited(res: GraphQLResponse<unknown>): void {
  expect(codes(res)).toEqual(['RATE_LIMITED']);
  expect(res.data).toBeNull();
  const retryAfter = res.errors![0].extensions!.retryAfterSeconds as number;
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW);
}

const cartOf = async (url: string, who: Actor) => (await gql<{ cart: CartShape }>(url, CART, {}, who)).data!.cart;

async function ordersOf(userId: string): Promise<number> {
  const rows = await h.orders.database.orm.em
    .fork()
    .execute<Array<{ n: string }>>('select count(*) as n from orders where user_id = ?', [userId]);
  return Number(rows[0].n);
}

describe('orders rate limits (per user)', () => {
  it('refuses addToCart past the allowance, leaving the cart as it was; another user may add', async () => {
    const me = actor(h.secret);
    for (let i = 0; i < 3; i += 1) await addToCart(h, me, product, 1);
    expectRateLimited(await gql(h.ordersUrl, ADD, { p: product, q: 5 }, me));
    expect((await cartOf(h.ordersUrl, me)).items).toEqual([{ product: { id: product }, quantity: 3 }]);

    const other = actor(h.secret);
    expect(codes(await gql(h.ordersUrl, ADD, { p: product, q: 1 }, other))).toEqual([]);
  });

  it('refuses checkout past the allowance, placing no order and keeping the cart; another user may check out', async () => {
    const me = actor(h.secret);
    for (let i = 0; i < 2; i += 1) {
      await addToCart(h, me, product, 1);
      expect(codes(await gql(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, me))).toEqual([]);
    }
    await addToCart(h, me, product, 1);
    expectRateLimited(await gql(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, me));
    expect(await ordersOf(me.userId)).toBe(2);
    expect((await cartOf(h.ordersUrl, me)).items).toEqual([{ product: { id: product }, quantity: 1 }]);

    const other = actor(h.secret);
    await addToCart(h, other, product, 1);
    expect(codes(await gql(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, other))).toEqual([]);
  });
});

describe('orders without Redis', () => {
  let down: OrdersApp;
  let url: string;
  beforeAll(async () => {
    // Nothing listens on port 1: this instance never reaches Redis.
    down = await createApp({ ...h.config, redisUrl: 'redis://127.0.0.1:1' });
    url = await down.listen(0);
  });
  afterAll(() => down?.stop());

  it('is not ready, while the instance with Redis is', async () => {
    const readiness = (base: string) => fetch(base.replace('/graphql', '/ready')).then((res) => res.status);
    expect(await readiness(h.ordersUrl)).toBe(200);
    expect(await readiness(url)).toBe(503);
  });

  it('still limits, counting in memory with the same allowance', async () => {
    const me = actor(h.secret);
    for (let i = 0; i < 3; i += 1) expect(codes(await gql(url, ADD, { p: product, q: 1 }, me))).toEqual([]);
    expectRateLimited(await gql(url, ADD, { p: product, q: 1 }, me));
  });
});
