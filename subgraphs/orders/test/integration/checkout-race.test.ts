import { codes } from '@storegraph/common/testing';
import type { OrdersApp } from '../../src/app';
import type { CatalogProduct, ProductCatalog } from '../../src/services/product-catalog';
import {
  actor, addToCart, CHECKOUT, createProduct, gql, ok, startHarness, startWrappedOrders,
  type Harness, type OrderShape, type WrappedOrders,
} from '../support/harness';
import { applyCoupon, createCoupon, usesOf } from '../support/coupons';

/**
 * The real catalog, with a hook run while a price lookup is under way: the moment between
 * checkout reading the cart and writing the order, where another request can change it.
 */
class InterleavingCatalog implements ProductCatalog {
  meanwhile: (() => Promise<void>) | null = null;
  constructor(private readonly inner: ProductCatalog) {}
  async getProducts(ids: string[]): Promise<Map<string, CatalogProduct>> {
    const found = await this.inner.getProducts(ids);
    const hook = this.meanwhile;
    this.meanwhile = null;
    await hook?.();
    return found;
  }
}

let h: Harness;
let wrapped: WrappedOrders<InterleavingCatalog>;
let orders: OrdersApp;
let url: string;
let catalog: InterleavingCatalog;

beforeAll(async () => {
  h = await startHarness();
  wrapped = await startWrappedOrders(h, (real) => new InterleavingCatalog(real));
  ({ app: orders, url, catalog } = wrapped);
});
afterAll(async () => {
  await wrapped?.stop();
  await h?.stop();
});

const sql = (query: string, params: unknown[]) => orders.database.orm.em.fork().execute(query, params);

async function checkout(who: ReturnType<typeof actor>): Promise<OrderShape> {
  return (await ok<{ checkout: OrderShape }>(url, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, who)).checkout;
}

describe('checkout while the cart changes', () => {
  it('places an unchanged cart with two statements and no transaction', async () => {
    const me = actor(h.secret);
    await addToCart(h, me, await createProduct(h, '4.00'), 2);
    const { bus } = orders.events;
    const announced: string[] = [];
    const subscription = bus.nc.subscribe(bus.subject('orders.order.placed'), {
      callback: (_err, msg) => {
        announced.push(msg.json<{ data: { orderId: string } }>().data.orderId);
      },
    });
    const before = orders.database.queryCount();
    const started = Date.now();
    const { checkout: order } = await ok<{ checkout: { id: string; total: { amount: string } } }>(
      url,
      'mutation { checkout(input: { paymentToken: "tok_visa" }) { id total { amount } } }',
      {},
      me,
    );
    // The cart's lines, then the order with its lines, the emptied cart and its event.
    expect(orders.database.queryCount() - before).toBe(2);
    expect(order.total.amount).toBe('8.00');
    // Published right after the statement, not left to the sweeper (which waits 2 s for a row).
    while (!announced.includes(order.id) && Date.now() - started < 1500) await new Promise((r) => setTimeout(r, 20));
    subscription.unsubscribe();
    expect(announced).toContain(order.id);
  });

  it('orders the quantity the cart holds when the order is written, not the one first read', async () => {
    const me = actor(h.secret);
    const product = await createProduct(h, '1.50');
    await addToCart(h, me, product, 1);
    catalog.meanwhile = async () => {
      await sql('update cart_items set quantity = quantity + 2 where user_id = ?', [me.userId]);
    };
    const order = await checkout(me);
    expect(order.items.map((i) => i.quantity)).toEqual([3]);
    expect(order.total.amount).toBe('4.50');
    expect(await sql('select * from cart_items where user_id = ?', [me.userId])).toEqual([]);
    expect(await sql('select id from orders where user_id = ?', [me.userId])).toHaveLength(1);
  });

  it('orders a line added meanwhile, and refuses a cart emptied meanwhile, writing nothing', async () => {
    const me = actor(h.secret);
    const [a, b] = [await createProduct(h, '2.00'), await createProduct(h, '5.00')];
    await addToCart(h, me, a, 1);
    catalog.meanwhile = async () => {
      await sql('insert into cart_items (user_id, product_id, quantity, added_at) values (?, ?, 1, now())', [me.userId, b]);
    };
    const order = await checkout(me);
    expect(order.items.map((i) => i.product.id)).toEqual([a, b]);
    expect(order.total.amount).toBe('7.00');

    await addToCart(h, me, a, 1);
    catalog.meanwhile = async () => {
      await sql('delete from cart_items where user_id = ?', [me.userId]);
    };
    expect(codes(await gql(url, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, me))).toEqual(['BAD_USER_INPUT']);
    expect(await sql('select id from orders where user_id = ?', [me.userId])).toHaveLength(1);
  });

  it('places a cart holding a coupon with one statement more (its terms, read beside the price lookup), taking its use in the write', async () => {
    const me = actor(h.secret);
    const coupon = await createCoupon(h, { value: '10' });
    await addToCart(h, me, await createProduct(h, '4.00'), 2);
    await applyCoupon(h, me, coupon.code);
    const before = orders.database.queryCount();
    const { checkout: order } = await ok<{ checkout: { total: { amount: string } } }>(
      url,
      'mutation { checkout(input: { paymentToken: "tok_visa" }) { id total { amount } } }',
      {},
      me,
    );
    expect(orders.database.queryCount() - before).toBe(3);
    expect(order.total.amount).toBe('7.20');
    expect(await usesOf(h, coupon.code)).toBe(1);
  });

  it('a coupon removed from the cart meanwhile: the order is placed at full price, no use taken', async () => {
    const me = actor(h.secret);
    const coupon = await createCoupon(h, { value: '10' });
    await addToCart(h, me, await createProduct(h, '4.00'), 1);
    await applyCoupon(h, me, coupon.code);
    catalog.meanwhile = async () => {
      await sql('delete from cart_coupons where user_id = ?', [me.userId]);
    };
    const order = await checkout(me);
    expect(order.total.amount).toBe('4.00');
    expect(await usesOf(h, coupon.code)).toBe(0);
  });

  it('a coupon used up meanwhile by another customer: CONFLICT, the cart and its coupon unchanged', async () => {
    const me = actor(h.secret);
    const coupon = await createCoupon(h, { value: '10', maxUses: 1 });
    await addToCart(h, me, await createProduct(h, '4.00'), 1);
    await applyCoupon(h, me, coupon.code);
    catalog.meanwhile = async () => {
      await sql('update coupons set uses = 1 where code = ?', [coupon.code]);
    };
    expect(codes(await gql(url, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, me))).toEqual(['CONFLICT']);
    expect(await sql('select product_id from cart_items where user_id = ?', [me.userId])).toHaveLength(1);
    expect(await sql('select coupon_id from cart_coupons where user_id = ?', [me.userId])).toHaveLength(1);
    expect(await sql('select id from orders where user_id = ?', [me.userId])).toHaveLength(0);
  });
});
