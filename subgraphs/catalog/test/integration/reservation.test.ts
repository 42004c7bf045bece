import { randomUUID } from 'node:crypto';
import { waitFor } from '@storegraph/common/testing';
import { codes } from './catalog.harness';
import { startSaga, type SagaHarness } from './saga.harness';
import { expectStockInvariant } from './stock.invariant';

let h: SagaHarness;
beforeAll(async () => {
  h = await startSaga({ database: 'catalog_saga_reserve' });
});
afterAll(async () => {
  await h?.stop();
});

const STOCK = `query ($id: ID!) { product(id: $id) { stock } }`;
const SET_STOCK = `mutation ($id: ID!, $q: Int!) { setStock(productId: $id, quantity: $q) { id stock } }`;
const publicStock = async (id: string) => (await h.call<{ product: { stock: number } }>(STOCK, { id })).data?.product.stock;

describe('orders.order.placed', () => {
  it('holds every line, lowers Product.stock and announces catalog.stock.reserved', async () => {
    const [mug, lamp] = [await h.product(5), await h.product(3)];
    const orderId = randomUUID();
    const before = Date.now();
    const stepsBefore = h.app.events.consumer?.stepsApplied ?? 0;
    await h.deliver('orders.order.placed', h.placed(orderId, [
      { productId: mug, quantity: 2 },
      { productId: lamp, quantity: 3 },
      { productId: mug, quantity: 1 },
    ]));

    expect(await publicStock(mug)).toBe(2);
    expect(await publicStock(lamp)).toBe(0);
    expect(await h.stock(mug)).toEqual({ onHand: 5, reserved: 3, available: 2 });
    expect(await h.status(orderId)).toBe('HELD');
    const event = await h.awaitEvent('catalog.stock.reserved', orderId);
    const expiresAt = Date.parse(event.data.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + (h.config.reservationTtlSeconds - 5) * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + h.config.reservationTtlSeconds * 1000);
    // Held by the one-statement step (the rejection below takes the full handler).
    expect(h.app.events.consumer?.stepsApplied).toBe(stepsBefore + 1);
    await expectStockInvariant(h, mug, 5);
    await expectStockInvariant(h, lamp, 3);
  });

  it('reserves nothing at all when one line is short, naming the short products', async () => {
    const [plenty, scarce] = [await h.product(10), await h.product(1)];
    const unknown = randomUUID();
    const orderId = randomUUID();
    const stepsBefore = h.app.events.consumer?.stepsApplied ?? 0;
    await h.deliver('orders.order.placed', h.placed(orderId, [
      { productId: plenty, quantity: 4 },
      { productId: scarce, quantity: 2 },
      { productId: unknown, quantity: 1 },
    ]));

    expect(await h.stock(plenty)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    expect(await h.stock(scarce)).toEqual({ onHand: 1, reserved: 0, available: 1 });
    expect(await h.status(orderId)).toBe('REJECTED');
    expect((await h.sql('select 1 from reservation_items where order_id = ?', [orderId])).length).toBe(0);
    const event = await h.awaitEvent('catalog.stock.rejected', orderId);
    expect([...event.data.productIds].sort()).toEqual([scarce, unknown].sort());
    expect(await h.emitted(orderId)).toEqual(['catalog.stock.rejected']);
    expect(h.app.events.consumer?.stepsApplied).toBe(stepsBefore);
    await expectStockInvariant(h, plenty, 10);
    await expectStockInvariant(h, scarce, 1);
  });

  it('reserves once when the same event is delivered twice, or the order is placed again', async () => {
    const productId = await h.product(6);
    const orderId = randomUUID();
    const placed = h.placed(orderId, [{ productId, quantity: 2 }]);
    const duplicatesBefore = h.app.events.consumer!.counts.duplicate;
    const eventId = await h.deliver('orders.order.placed', placed);
    await h.publish('orders.order.placed', placed, eventId);
    await h.deliver('orders.order.placed', placed); // same order, another event id
    await waitForDuplicates(duplicatesBefore + 1);

    expect(await h.stock(productId)).toEqual({ onHand: 6, reserved: 2, available: 4 });
    expect(await h.emitted(orderId)).toEqual(['catalog.stock.reserved']);
    await expectStockInvariant(h, productId, 6);
  });
});

describe('orders.order.failed', () => {
  it('releases a hold once; a second failure changes nothing', async () => {
    const productId = await h.product(4);
    const orderId = randomUUID();
    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 3 }]));
    await h.deliver('orders.order.failed', { orderId, reason: 'PAYMENT_DECLINED' });
    expect(await h.status(orderId)).toBe('RELEASED');
    expect(await h.stock(productId)).toEqual({ onHand: 4, reserved: 0, available: 4 });

    await h.deliver('orders.order.failed', { orderId, reason: 'PAYMENT_DECLINED' });
    expect(await h.stock(productId)).toEqual({ onHand: 4, reserved: 0, available: 4 });
    await expectStockInvariant(h, productId, 4);
  });

  it('does nothing for a rejected order', async () => {
    const productId = await h.product(1);
    const orderId = randomUUID();
    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 2 }]));
    await h.deliver('orders.order.failed', { orderId, reason: 'OUT_OF_STOCK' });
    expect(await h.status(orderId)).toBe('REJECTED');
    expect(await h.stock(productId)).toEqual({ onHand: 1, reserved: 0, available: 1 });
    await expectStockInvariant(h, productId, 1);
  });
});

describe('payments.payment.captured', () => {
  it('turns the hold into a sale and announces catalog.stock.sold', async () => {
    const productId = await h.product(5);
    const orderId = randomUUID();
    const paymentId = randomUUID();
    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 2 }]));
    await h.deliver('payments.payment.captured', { orderId, paymentId, amountMinor: 1000 });

    expect(await h.stock(productId)).toEqual({ onHand: 3, reserved: 0, available: 3 });
    expect(await publicStock(productId)).toBe(3);
    expect(await h.sql('select status, payment_id from reservations where order_id = ?', [orderId])).toEqual([{ status: 'SOLD', payment_id: paymentId }]);
    expect((await h.awaitEvent('catalog.stock.sold', orderId)).data).toEqual({ orderId, paymentId });

    // A capture for an order that is no longer held (or never was) sells nothing.
    await h.deliver('payments.payment.captured', { orderId, paymentId: randomUUID(), amountMinor: 1000 });
    const stranger = randomUUID();
    await h.deliver('payments.payment.captured', { orderId: stranger, paymentId: randomUUID(), amountMinor: 1 });
    expect(await h.stock(productId)).toEqual({ onHand: 3, reserved: 0, available: 3 });
    expect(await h.emitted(orderId)).toEqual(['catalog.stock.reserved', 'catalog.stock.sold']);
    expect(await h.emitted(stranger)).toEqual([]);
    await expectStockInvariant(h, productId, 5);
  });
});

describe('setStock with units held by the saga', () => {
  it('answers CONFLICT below the units reserved and accepts exactly them', async () => {
    const productId = await h.product(10);
    const orderId = randomUUID();
    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 4 }]));
    expect(codes(await h.call(SET_STOCK, { id: productId, q: 3 }, h.as('ADMIN')))).toEqual(['CONFLICT']);
    expect(await h.stock(productId)).toEqual({ onHand: 10, reserved: 4, available: 6 });
    expect((await h.call(SET_STOCK, { id: productId, q: 4 }, h.as('ADMIN'))).data).toEqual({ setStock: { id: productId, stock: 0 } });
    // setStock moves the baseline: the invariant starts from the new units on hand.
    await expectStockInvariant(h, productId, 4);
  });
});

async function waitForDuplicates(count: number): Promise<void> {
  await waitFor(() => h.app.events.consumer!.counts.duplicate >= count, { what: 'the duplicate delivery to be skipped' });
}
