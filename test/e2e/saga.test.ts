import { OutboxRelay, createLogger } from '@storegraph/common';
import { waitFor } from '@storegraph/common/testing';
import { CancelOrderDocument, CheckoutDocument, OrderDocument, ProductDocument, type OrderFieldsFragment } from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import {
  addToCart,
  checkout,
  createProduct,
  errorCodes,
  signUp,
  type Session,
  type StoregraphClient,
} from './support/client';
import { expectInvariants, waitForSettled } from './support/invariants';

/**
 * The order saga seen from outside: checkouts through the gateway, the saga running on
 * real NATS JetStream between the subgraphs, and the invariants checked after each
 * scenario against the subgraphs' own databases.
 */
describe('order saga', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop({ env: { PAYMENT_TEST_DELAY_MS: '1500' } }));
  });

  /** Relays started to stand in for one a test stopped; they run until the end. */
  const replacementRelays: OutboxRelay[] = [];

  afterAll(async () => {
    await Promise.all(replacementRelays.map((relay) => relay.stop()));
    await stack?.stop();
  });

  /** The parts of an order the saga moves: its status, its payment and its products' stock. */
  function sagaView(order: OrderFieldsFragment) {
    return {
      status: order.status,
      failureReason: order.failureReason,
      statusHistory: order.statusHistory.map(({ status }) => ({ status })),
      payment: order.payment && {
        status: order.payment.status,
        amount: { amount: order.payment.amount.amount },
        failureReason: order.payment.failureReason,
      },
      items: order.items.map((item) => ({ product: { stock: item.product.stock } })),
    };
  }

  async function readOrder(client: StoregraphClient, id: string) {
    const { order } = await client.request(OrderDocument, { id });
    if (!order) throw new Error(`order ${id} is not visible to this client`);
    return sagaView(order);
  }

  async function shopperWithCart(lines: Array<{ productId: string; quantity: number }>): Promise<Session> {
    const shopper = await signUp(api);
    for (const line of lines) await addToCart(shopper.client, line.productId, line.quantity);
    return shopper;
  }

  it('happy path: PENDING -> RESERVED -> CONFIRMED, payment captured, stock sold', async () => {
    const product = await createProduct(admin, { price: '12.50', stock: 10 });
    const shopper = await shopperWithCart([{ productId: product.id, quantity: 3 }]);
    const orderId = await checkout(shopper.client, 'tok_visa');
    await expectInvariants(stack, { stockAtStart: new Map([[product.id, 10]]), orderIds: [orderId] });
    expect(await readOrder(shopper.client, orderId)).toEqual({
      status: 'CONFIRMED',
      failureReason: null,
      statusHistory: [{ status: 'PENDING' }, { status: 'RESERVED' }, { status: 'CONFIRMED' }],
      payment: { status: 'CAPTURED', amount: { amount: '37.50' }, failureReason: null },
      items: [{ product: { stock: 7 } }],
    });
  });

  it('declined: FAILED(PAYMENT_DECLINED) and the reservation released', async () => {
    const product = await createProduct(admin, { price: '5.00', stock: 4 });
    const shopper = await shopperWithCart([{ productId: product.id, quantity: 2 }]);
    const orderId = await checkout(shopper.client, 'tok_chargeDeclined');
    await expectInvariants(stack, { stockAtStart: new Map([[product.id, 4]]), orderIds: [orderId] });
    const order = await readOrder(shopper.client, orderId);
    expect(order).toMatchObject({
      status: 'FAILED',
      failureReason: 'PAYMENT_DECLINED',
      statusHistory: [{ status: 'PENDING' }, { status: 'RESERVED' }, { status: 'FAILED' }],
      payment: { status: 'FAILED' },
      items: [{ product: { stock: 4 } }],
    });
    expect(order.payment?.failureReason).toMatch(/declined/i);
  });

  it('out of stock: FAILED(OUT_OF_STOCK) with nothing partially reserved', async () => {
    const plenty = await createProduct(admin, { price: '1.00', stock: 10 });
    const scarce = await createProduct(admin, { price: '1.00', stock: 1 });
    const shopper = await shopperWithCart([
      { productId: plenty.id, quantity: 2 },
      { productId: scarce.id, quantity: 2 },
    ]);
    const orderId = await checkout(shopper.client);
    await expectInvariants(stack, {
      stockAtStart: new Map([
        [plenty.id, 10],
        [scarce.id, 1],
      ]),
      orderIds: [orderId],
    });
    expect(await readOrder(shopper.client, orderId)).toEqual({
      status: 'FAILED',
      failureReason: 'OUT_OF_STOCK',
      statusHistory: [{ status: 'PENDING' }, { status: 'FAILED' }],
      payment: null,
      items: [{ product: { stock: 10 } }, { product: { stock: 1 } }],
    });
  });

  it('50 concurrent checkouts for 5 units: exactly 5 CONFIRMED, no oversell', async () => {
    const product = await createProduct(admin, { price: '9.99', stock: 5 });
    const shoppers = await Promise.all(Array.from({ length: 50 }, () => shopperWithCart([{ productId: product.id, quantity: 1 }])));
    const orderIds = await Promise.all(shoppers.map((s) => checkout(s.client)));
    const settled = await waitForSettled(stack, orderIds, 30_000);
    const statuses = [...settled.values()];
    expect(statuses.filter((s) => s === 'CONFIRMED')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'FAILED')).toHaveLength(45);
    await expectInvariants(stack, { stockAtStart: new Map([[product.id, 5]]), orderIds });
    const { product: after } = await api.request(ProductDocument, { id: product.id });
    expect(after?.stock).toBe(0);
  });

  it('concurrent duplicate checkouts with one idempotency key place one order', async () => {
    const product = await createProduct(admin, { price: '3.00', stock: 10 });
    const shopper = await shopperWithCart([{ productId: product.id, quantity: 1 }]);
    const key = `key-${Date.now()}`;
    const ids = await Promise.all(Array.from({ length: 8 }, () => checkout(shopper.client, 'tok_visa', key)));
    expect(new Set(ids).size).toBe(1);
    const other = shopper.client.request(CheckoutDocument, { input: { paymentToken: 'tok_mastercard', idempotencyKey: key } });
    expect(await errorCodes(other)).toEqual(['CONFLICT']);
    await expectInvariants(stack, { stockAtStart: new Map([[product.id, 10]]), orderIds: [ids[0]] });
    expect(await readOrder(shopper.client, ids[0])).toMatchObject({ status: 'CONFIRMED', items: [{ product: { stock: 9 } }] });
  });

  describe('cancelOrder at each status', () => {
    async function cancel(client: StoregraphClient, id: string) {
      const { cancelOrder: order } = await client.request(CancelOrderDocument, { id });
      return { status: order.status, statusHistory: order.statusHistory.map(({ status }) => ({ status })) };
    }

    it('PENDING: cancelled before catalog reserved anything; nothing stays held', async () => {
      const product = await createProduct(admin, { price: '2.00', stock: 3 });
      const shopper = await shopperWithCart([{ productId: product.id, quantity: 1 }]);
      const ordersEvents = stack.subgraphs.orders.events;
      // Hold the order at PENDING: no relay publishes orders' events for a while.
      await ordersEvents.relay?.stop();
      const orderId = await checkout(shopper.client);
      expect(await cancel(shopper.client, orderId)).toEqual({
        status: 'CANCELLED',
        statusHistory: [{ status: 'PENDING' }, { status: 'CANCELLED' }],
      });
      const relay = new OutboxRelay({
        orm: stack.subgraphs.orders.database.orm,
        bus: ordersEvents.bus,
        logger: createLogger('test-relay', 'error'),
      });
      relay.start();
      replacementRelays.push(relay);
      await expectInvariants(stack, { stockAtStart: new Map([[product.id, 3]]), orderIds: [orderId] });
      expect(await readOrder(shopper.client, orderId)).toMatchObject({ status: 'CANCELLED', items: [{ product: { stock: 3 } }] });
    });

    it('RESERVED (slow payment in flight): released, and the capture that lands later is refunded', async () => {
      const product = await createProduct(admin, { price: '4.00', stock: 3 });
      const shopper = await shopperWithCart([{ productId: product.id, quantity: 2 }]);
      const orderId = await checkout(shopper.client, 'tok_delayed');
      await waitForStatus(shopper.client, orderId, 'RESERVED');
      expect(await cancel(shopper.client, orderId)).toEqual({
        status: 'CANCELLED',
        statusHistory: [{ status: 'PENDING' }, { status: 'RESERVED' }, { status: 'CANCELLED' }],
      });
      await waitForPayment(shopper.client, orderId, 'REFUNDED');
      await expectInvariants(stack, { stockAtStart: new Map([[product.id, 3]]), orderIds: [orderId] });
      expect(await readOrder(shopper.client, orderId)).toMatchObject({ status: 'CANCELLED', items: [{ product: { stock: 3 } }] });
    });

    it('CONFIRMED: restocked and refunded; cancelling again returns it unchanged', async () => {
      const product = await createProduct(admin, { price: '6.00', stock: 2 });
      const shopper = await shopperWithCart([{ productId: product.id, quantity: 2 }]);
      const orderId = await checkout(shopper.client);
      await waitForStatus(shopper.client, orderId, 'CONFIRMED');
      await cancel(shopper.client, orderId);
      await waitForPayment(shopper.client, orderId, 'REFUNDED');
      expect(await cancel(shopper.client, orderId)).toEqual({
        status: 'CANCELLED',
        statusHistory: [{ status: 'PENDING' }, { status: 'RESERVED' }, { status: 'CONFIRMED' }, { status: 'CANCELLED' }],
      });
      await expectInvariants(stack, { stockAtStart: new Map([[product.id, 2]]), orderIds: [orderId] });
      expect(await readOrder(shopper.client, orderId)).toMatchObject({ items: [{ product: { stock: 2 } }] });
    });

    it('FAILED: CONFLICT, and the order stays FAILED', async () => {
      const product = await createProduct(admin, { price: '6.00', stock: 2 });
      const shopper = await shopperWithCart([{ productId: product.id, quantity: 1 }]);
      const orderId = await checkout(shopper.client, 'tok_insufficientFunds');
      await waitForStatus(shopper.client, orderId, 'FAILED');
      expect(await errorCodes(cancel(shopper.client, orderId))).toEqual(['CONFLICT']);
      await expectInvariants(stack, { stockAtStart: new Map([[product.id, 2]]), orderIds: [orderId] });
      expect(await readOrder(shopper.client, orderId)).toMatchObject({ status: 'FAILED', failureReason: 'PAYMENT_DECLINED' });
    });
  });
});

async function waitForStatus(client: StoregraphClient, orderId: string, status: string): Promise<void> {
  await waitFor(
    async () => {
      const { order } = await client.request(OrderDocument, { id: orderId });
      return order?.status === status;
    },
    { timeoutMs: 15_000, what: `order ${status}` },
  );
}

async function waitForPayment(client: StoregraphClient, orderId: string, status: string): Promise<void> {
  await waitFor(
    async () => {
      const { order } = await client.request(OrderDocument, { id: orderId });
      return order?.payment?.status === status;
    },
    { timeoutMs: 15_000, what: `payment ${status}` },
  );
}
