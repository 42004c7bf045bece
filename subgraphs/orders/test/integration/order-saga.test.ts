import { uuidv7 } from '@storegraph/common';
import { codes, waitFor } from '@storegraph/common/testing';
import {
  actor, addToCart, CHECKOUT, createProduct, gql, ok, ORDER_FIELDS, placeOrder, startHarness,
  type Actor, type Harness, type OrderShape,
} from '../support/harness';
import { applyCoupon, createCoupon, heldBy, usesOf } from '../support/coupons';
import { applied, deliver, emitted, emittedSubjects, Observer, orderRow, publish, publishAndApply } from '../support/saga';

let h: Harness;
let productId: string;
let observer: Observer;

beforeAll(async () => {
  // An outbox of its own: this file counts exactly what orders emits.
  h = await startHarness({ database: 'orders_saga' });
  productId = await createProduct(h, '2.50');
  observer = new Observer(h.orders.events.bus);
});
afterAll(async () => {
  observer?.stop();
  await h?.stop();
});

const ORDER = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelOrder(id: $id) { ${ORDER_FIELDS} } }`;

const PLACED = ['orders.order.placed'];
const sorted = (...subjects: string[]) => [...subjects].sort();

async function orderOf(id: string, who: Actor): Promise<OrderShape> {
  return (await ok<{ order: OrderShape }>(h.ordersUrl, ORDER, { id }, who)).order;
}

async function statusesOf(id: string): Promise<string[]> {
  return (await orderRow(h.orders, id)).status_history.map((entry) => entry.status);
}

/** A PENDING order of 2 x 2.50, placed through checkout. */
async function pending(who = actor(h.secret)): Promise<{ id: string; who: Actor }> {
  return { id: (await placeOrder(h, who, productId, 2)).id, who };
}

/** An order catalog has reserved stock for. */
async function reserved(): Promise<{ id: string; who: Actor }> {
  const order = await pending();
  await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: order.id, expiresAt: new Date(Date.now() + 900_000).toISOString() });
  return order;
}

describe('checkout', () => {
  it('emits orders.order.placed and status_changed(PENDING) once; a replay with its idempotency key emits nothing', async () => {
    const me = actor(h.secret);
    await addToCart(h, me, productId, 2);
    const input = { paymentToken: 'tok_visa', idempotencyKey: uuidv7() };
    const { checkout } = await ok<{ checkout: OrderShape }>(h.ordersUrl, CHECKOUT, { input }, me);

    const placed = await observer.next('orders.order.placed', checkout.id);
    expect(placed.data).toEqual({
      orderId: checkout.id,
      userId: me.userId,
      items: [{ productId, quantity: 2 }],
      amountMinor: 500,
      currency: 'USD',
    });

    const replay = await ok<{ checkout: OrderShape }>(h.ordersUrl, CHECKOUT, { input }, me);
    expect(replay.checkout.id).toBe(checkout.id);
    expect(await emittedSubjects(h.orders, checkout.id)).toEqual(sorted(...PLACED));
  });
});

describe('the happy path', () => {
  it('reserved -> RESERVED with orders.order.reserved carrying token and total; captured is recorded; sold -> CONFIRMED', async () => {
    const token = `tok_${uuidv7()}`;
    const me = actor(h.secret);
    const logged: string[] = [];
    // The logger writes JSON lines to stdout: keep them (unprinted) to look for the token.
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    const stepsBefore = h.orders.events.consumer?.stepsApplied ?? 0;
    try {
      await addToCart(h, me, productId, 2);
      const { checkout } = await ok<{ checkout: OrderShape }>(h.ordersUrl, CHECKOUT, { input: { paymentToken: token } }, me);
      const orderId = checkout.id;

      await publish(h.orders, 'catalog.stock.reserved', { orderId, expiresAt: new Date(Date.now() + 900_000).toISOString() });
      const reservedEvent = await observer.next('orders.order.reserved', orderId);
      expect(reservedEvent.data).toEqual({ orderId, userId: me.userId, amountMinor: 500, currency: 'USD', paymentToken: token });
      expect((await orderOf(orderId, me)).status).toBe('RESERVED');

      const paymentId = uuidv7();
      await publishAndApply(h.orders, 'payments.payment.captured', { orderId, paymentId, amountMinor: 500 });
      expect(await orderRow(h.orders, orderId)).toMatchObject({ status: 'RESERVED', payment_id: paymentId, refund_requested: false });

      await publish(h.orders, 'catalog.stock.sold', { orderId, paymentId });
      expect((await observer.next('orders.order.confirmed', orderId)).data).toEqual({ orderId });
      const order = await orderOf(orderId, me);
      expect([order.status, order.failureReason]).toEqual(['CONFIRMED', null]);
      expect(order.statusHistory.map((s) => s.status)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED']);
      expect(await emittedSubjects(h.orders, orderId)).toEqual(
        sorted(...PLACED, 'orders.order.reserved', 'orders.order.confirmed'),
      );
      // The happy path's three events each took the one-statement step, not the handler's transaction.
      expect(h.orders.events.consumer?.stepsApplied).toBe(stepsBefore + 3);
    } finally {
      spy.mockRestore();
    }
    expect(logged.filter((line) => line.includes(token))).toEqual([]);
  });

  it('a sale that overtakes its reservation (a redelivery) is retried until the order is RESERVED', async () => {
    const { id, who } = await pending();
    const retries = h.orders.events.consumer?.counts.retry ?? 0;
    const sold = await publish(h.orders, 'catalog.stock.sold', { orderId: id, paymentId: uuidv7() });
    await waitFor(() => (h.orders.events.consumer?.counts.retry ?? 0) > retries, { what: 'the early sale to be retried' });
    await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: new Date(Date.now() + 900_000).toISOString() });
    await applied(h.orders, sold.id);
    expect((await orderOf(id, who)).statusHistory.map((s) => s.status)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED']);
  });
});

describe('compensations', () => {
  it('stock rejected -> FAILED(OUT_OF_STOCK) with orders.order.failed', async () => {
    const { id, who } = await pending();
    await publish(h.orders, 'catalog.stock.rejected', { orderId: id, productIds: [productId] });
    expect((await observer.next('orders.order.failed', id)).data).toEqual({ orderId: id, reason: 'OUT_OF_STOCK' });
    const order = await orderOf(id, who);
    expect([order.status, order.failureReason]).toEqual(['FAILED', 'OUT_OF_STOCK']);
    expect(order.statusHistory.map((s) => s.status)).toEqual(['PENDING', 'FAILED']);
  });

  it('payment failed -> FAILED(PAYMENT_DECLINED) with orders.order.failed, and no refund', async () => {
    const { id, who } = await reserved();
    await publish(h.orders, 'payments.payment.failed', { orderId: id, paymentId: uuidv7(), reason: 'card declined' });
    expect((await observer.next('orders.order.failed', id)).data).toEqual({ orderId: id, reason: 'PAYMENT_DECLINED' });
    const order = await orderOf(id, who);
    expect([order.status, order.failureReason]).toEqual(['FAILED', 'PAYMENT_DECLINED']);
    expect(order.statusHistory.map((s) => s.status)).toEqual(['PENDING', 'RESERVED', 'FAILED']);
    expect(await emittedSubjects(h.orders, id)).not.toContain('orders.refund.requested');
  });

  it('expired, then a late capture (even reported twice) -> FAILED(RESERVATION_EXPIRED) and exactly one refund', async () => {
    const { id, who } = await reserved();
    await publish(h.orders, 'catalog.reservation.expired', { orderId: id });
    expect((await observer.next('orders.order.failed', id)).data).toEqual({ orderId: id, reason: 'RESERVATION_EXPIRED' });
    const paymentId = uuidv7();
    await publishAndApply(h.orders, 'payments.payment.captured', { orderId: id, paymentId, amountMinor: 500 });
    expect((await observer.next('orders.refund.requested', id)).data).toEqual({ orderId: id });
    // Another event saying the same (payments re-emitting): the flag holds.
    await publishAndApply(h.orders, 'payments.payment.captured', { orderId: id, paymentId, amountMinor: 500 });

    const order = await orderOf(id, who);
    expect([order.status, order.failureReason]).toEqual(['FAILED', 'RESERVATION_EXPIRED']);
    expect(await orderRow(h.orders, id)).toMatchObject({ payment_id: paymentId, refund_requested: true });
    expect((await emitted(h.orders, id)).filter((e) => e.subject === 'orders.refund.requested')).toHaveLength(1);
  });

  it('captured, then expired (the other order of arrival) -> also exactly one refund', async () => {
    const { id } = await reserved();
    await publishAndApply(h.orders, 'payments.payment.captured', { orderId: id, paymentId: uuidv7(), amountMinor: 500 });
    expect(await emittedSubjects(h.orders, id)).not.toContain('orders.refund.requested');
    await publishAndApply(h.orders, 'catalog.reservation.expired', { orderId: id });
    await observer.next('orders.refund.requested', id);
    expect((await orderRow(h.orders, id)).failure_reason).toBe('RESERVATION_EXPIRED');
    expect((await emitted(h.orders, id)).filter((e) => e.subject === 'orders.refund.requested')).toHaveLength(1);
  });

  it('expired while still PENDING (stock.reserved not yet applied) fails the order; the late reservation is ignored', async () => {
    const { id } = await pending();
    await publishAndApply(h.orders, 'catalog.reservation.expired', { orderId: id });
    await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: new Date().toISOString() });
    expect(await statusesOf(id)).toEqual(['PENDING', 'FAILED']);
    expect(await emittedSubjects(h.orders, id)).not.toContain('orders.order.reserved');
  });
});

describe('cancelOrder', () => {
  it('PENDING -> CANCELLED with orders.order.cancelled, no refund', async () => {
    const { id, who } = await pending();
    const { cancelOrder } = await ok<{ cancelOrder: OrderShape }>(h.ordersUrl, CANCEL, { id }, who);
    expect(cancelOrder.statusHistory.map((s) => s.status)).toEqual(['PENDING', 'CANCELLED']);
    expect((await observer.next('orders.order.cancelled', id)).data).toEqual({ orderId: id });
    expect(await emittedSubjects(h.orders, id)).toEqual(sorted(...PLACED, 'orders.order.cancelled'));
  });

  it('RESERVED -> CANCELLED; a capture arriving afterwards is refunded once', async () => {
    const { id, who } = await reserved();
    await ok(h.ordersUrl, CANCEL, { id }, who);
    expect(await emittedSubjects(h.orders, id)).not.toContain('orders.refund.requested');
    await publishAndApply(h.orders, 'payments.payment.captured', { orderId: id, paymentId: uuidv7(), amountMinor: 500 });
    await observer.next('orders.refund.requested', id);
    expect(await statusesOf(id)).toEqual(['PENDING', 'RESERVED', 'CANCELLED']);
    expect((await emitted(h.orders, id)).filter((e) => e.subject === 'orders.refund.requested')).toHaveLength(1);
  });

  it('CONFIRMED with a recorded payment -> CANCELLED and orders.refund.requested in the same transaction', async () => {
    const { id } = await reserved();
    const paymentId = uuidv7();
    await publishAndApply(h.orders, 'catalog.stock.sold', { orderId: id, paymentId });
    expect(await orderRow(h.orders, id)).toMatchObject({ status: 'CONFIRMED', payment_id: paymentId });
    await ok(h.ordersUrl, CANCEL, { id }, actor(h.secret, 'ADMIN'));
    expect(await orderRow(h.orders, id)).toMatchObject({ status: 'CANCELLED', refund_requested: true });
    expect((await observer.next('orders.refund.requested', id)).data).toEqual({ orderId: id });
    expect(await statusesOf(id)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED']);
    expect((await emitted(h.orders, id)).filter((e) => e.subject === 'orders.refund.requested')).toHaveLength(1);
  });

  it('an already CANCELLED order is returned unchanged and emits nothing; a FAILED one is a CONFLICT', async () => {
    const { id, who } = await pending();
    const first = await ok<{ cancelOrder: OrderShape }>(h.ordersUrl, CANCEL, { id }, who);
    const before = await emitted(h.orders, id);
    const again = await ok<{ cancelOrder: OrderShape }>(h.ordersUrl, CANCEL, { id }, who);
    expect(again.cancelOrder).toEqual(first.cancelOrder);
    expect(await emitted(h.orders, id)).toEqual(before);

    const failed = await pending();
    await publishAndApply(h.orders, 'catalog.stock.rejected', { orderId: failed.id, productIds: [productId] });
    const emittedBefore = await emitted(h.orders, failed.id);
    expect(codes(await gql(h.ordersUrl, CANCEL, { id: failed.id }, failed.who))).toEqual(['CONFLICT']);
    expect(await orderRow(h.orders, failed.id)).toMatchObject({ status: 'FAILED', failure_reason: 'OUT_OF_STOCK' });
    expect(await emitted(h.orders, failed.id)).toEqual(emittedBefore);
  });
});

describe('delivery', () => {
  it('an event delivered twice has one effect', async () => {
    const { id } = await pending();
    const duplicates = h.orders.events.consumer?.counts.duplicate ?? 0;
    const event = await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: new Date().toISOString() });
    await deliver(h.orders, event, `redelivery-${event.id}`);
    await waitFor(() => (h.orders.events.consumer?.counts.duplicate ?? 0) > duplicates, { what: 'the duplicate to be skipped' });
    expect(await statusesOf(id)).toEqual(['PENDING', 'RESERVED']);
    expect((await emitted(h.orders, id)).filter((e) => e.subject === 'orders.order.reserved')).toHaveLength(1);
  });

  it('no event moves a CANCELLED order; a sale reported for it is refunded exactly once', async () => {
    const { id, who } = await pending();
    await ok(h.ordersUrl, CANCEL, { id }, who);
    const paymentId = uuidv7();
    const expiresAt = new Date().toISOString();
    await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt });
    await publishAndApply(h.orders, 'catalog.stock.rejected', { orderId: id, productIds: [productId] });
    await publishAndApply(h.orders, 'payments.payment.failed', { orderId: id, paymentId, reason: 'declined' });
    await publishAndApply(h.orders, 'catalog.reservation.expired', { orderId: id });
    await publishAndApply(h.orders, 'catalog.stock.sold', { orderId: id, paymentId });
    await publishAndApply(h.orders, 'payments.payment.captured', { orderId: id, paymentId, amountMinor: 500 });

    expect(await orderRow(h.orders, id)).toMatchObject({ status: 'CANCELLED', failure_reason: null, refund_requested: true });
    expect(await statusesOf(id)).toEqual(['PENDING', 'CANCELLED']);
    expect(await emittedSubjects(h.orders, id)).toEqual(
      sorted(...PLACED, 'orders.order.cancelled', 'orders.refund.requested'),
    );
  });
});

describe('coupons through the saga', () => {
  const expiresAt = () => new Date(Date.now() + 900_000).toISOString();

  /** A PENDING order of 2 x 2.50 = 5.00 with 20% off (total 4.00), placed through checkout. */
  async function discounted(code: string): Promise<{ id: string; who: Actor }> {
    const who = actor(h.secret);
    await addToCart(h, who, productId, 2);
    await applyCoupon(h, who, code);
    const { checkout } = await ok<{ checkout: OrderShape }>(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, who);
    return { id: checkout.id, who };
  }

  it('placed and reserved carry the discounted total; the steps of the happy path keep the use', async () => {
    const coupon = await createCoupon(h, { value: '20' });
    const stepsBefore = h.orders.events.consumer?.stepsApplied ?? 0;
    const { id, who } = await discounted(coupon.code);
    expect((await observer.next('orders.order.placed', id)).data).toMatchObject({ amountMinor: 400 });
    await publish(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expiresAt() });
    expect((await observer.next('orders.order.reserved', id)).data).toMatchObject({ amountMinor: 400 });
    const paymentId = uuidv7();
    await publishAndApply(h.orders, 'payments.payment.captured', { orderId: id, paymentId, amountMinor: 400 });
    await publishAndApply(h.orders, 'catalog.stock.sold', { orderId: id, paymentId });
    expect((await orderOf(id, who)).status).toBe('CONFIRMED');
    expect(h.orders.events.consumer?.stepsApplied).toBe(stepsBefore + 3);
    expect(await usesOf(h, coupon.code)).toBe(1);
  });

  // Each way an order ends FAILED or CANCELLED, through its handler (no one-statement step
  // ends an order), with the event delivered again or the cancel repeated: given back once.
  it.each([
    ['stock rejected', async (id: string) => {
      const event = await publishAndApply(h.orders, 'catalog.stock.rejected', { orderId: id, productIds: [productId] });
      const duplicates = h.orders.events.consumer?.counts.duplicate ?? 0;
      await deliver(h.orders, event, `again-${event.id}`);
      await waitFor(() => (h.orders.events.consumer?.counts.duplicate ?? 0) > duplicates, { what: 'the redelivery to be skipped' });
    }],
    ['payment failed', async (id: string) => {
      await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expiresAt() });
      const event = await publishAndApply(h.orders, 'payments.payment.failed', { orderId: id, paymentId: uuidv7(), reason: 'declined' });
      await publishAndApply(h.orders, 'payments.payment.failed', { ...event.data });
    }],
    ['reservation expired', async (id: string) => {
      await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expiresAt() });
      await publishAndApply(h.orders, 'catalog.reservation.expired', { orderId: id });
      await publishAndApply(h.orders, 'catalog.reservation.expired', { orderId: id });
    }],
    ['cancelled while PENDING', async (id: string, who: Actor) => {
      await ok(h.ordersUrl, CANCEL, { id }, who);
      await ok(h.ordersUrl, CANCEL, { id }, who);
    }],
    ['cancelled once CONFIRMED', async (id: string, who: Actor) => {
      await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expiresAt() });
      await publishAndApply(h.orders, 'catalog.stock.sold', { orderId: id, paymentId: uuidv7() });
      await ok(h.ordersUrl, CANCEL, { id }, who);
      await ok(h.ordersUrl, CANCEL, { id }, actor(h.secret, 'ADMIN'));
    }],
  ])('%s: the order gives its use back, once', async (_what, end) => {
    const coupon = await createCoupon(h, { value: '20', maxUses: 2, maxUsesPerUser: 1 });
    const kept = await discounted(coupon.code);
    const { id, who } = await discounted(coupon.code);
    expect(await usesOf(h, coupon.code)).toBe(2);
    await end(id, who);
    expect(['FAILED', 'CANCELLED']).toContain((await orderRow(h.orders, id)).status);
    expect(await usesOf(h, coupon.code)).toBe(1);
    // The use is free again: the same customer may apply it once more.
    await addToCart(h, who, productId, 1);
    expect((await applyCoupon(h, who, coupon.code)).coupon).toBe(coupon.code);
    expect(await orderRow(h.orders, kept.id)).toMatchObject({ status: 'PENDING' });
  });

  it('Coupon.uses is exact after a mixed run: the orders that hold it, no more, no less', async () => {
    const coupon = await createCoupon(h, { value: '20', maxUses: 50 });
    const orders = await Promise.all(Array.from({ length: 12 }, () => discounted(coupon.code)));
    await Promise.all(
      orders.map(async ({ id, who }, i) => {
        const paymentId = uuidv7();
        switch (i % 6) {
          case 0: // stays PENDING
            return;
          case 1: // CONFIRMED
            await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expiresAt() });
            await publishAndApply(h.orders, 'catalog.stock.sold', { orderId: id, paymentId });
            return;
          case 2: // FAILED, out of stock
            await publishAndApply(h.orders, 'catalog.stock.rejected', { orderId: id, productIds: [productId] });
            return;
          case 3: // FAILED, declined
            await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expiresAt() });
            await publishAndApply(h.orders, 'payments.payment.failed', { orderId: id, paymentId, reason: 'declined' });
            return;
          case 4: // CANCELLED while RESERVED, the cancel sent twice at once
            await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expiresAt() });
            await Promise.all([gql(h.ordersUrl, CANCEL, { id }, who), gql(h.ordersUrl, CANCEL, { id }, who)]);
            return;
          default: // RESERVED, then cancelled against an expiry arriving at the same time
            await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expiresAt() });
            await Promise.all([gql(h.ordersUrl, CANCEL, { id }, who), publishAndApply(h.orders, 'catalog.reservation.expired', { orderId: id })]);
        }
      }),
    );
    const uses = await usesOf(h, coupon.code);
    expect(uses).toBe(await heldBy(h, coupon.code));
    expect(uses).toBe(4);
  });
});
