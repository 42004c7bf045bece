import { randomUUID } from 'node:crypto';
import { startSaga, type SagaHarness } from './saga.harness';
import { expectStockInvariant } from './stock.invariant';

let h: SagaHarness;
beforeAll(async () => {
  h = await startSaga({ database: 'catalog_saga_cancel' });
});
afterAll(async () => {
  await h?.stop();
});

describe('orders.order.cancelled', () => {
  it('releases a hold', async () => {
    const productId = await h.product(5);
    const orderId = randomUUID();
    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 3 }]));
    await h.deliver('orders.order.cancelled', { orderId });
    expect(await h.status(orderId)).toBe('CANCELLED');
    expect(await h.stock(productId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    await expectStockInvariant(h, productId, 5);
  });

  it('restocks a sale', async () => {
    const productId = await h.product(5);
    const orderId = randomUUID();
    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 2 }]));
    await h.deliver('payments.payment.captured', { orderId, paymentId: randomUUID(), amountMinor: 1000 });
    expect(await h.stock(productId)).toEqual({ onHand: 3, reserved: 0, available: 3 });
    await expectStockInvariant(h, productId, 5);

    await h.deliver('orders.order.cancelled', { orderId });
    expect(await h.status(orderId)).toBe('CANCELLED');
    expect(await h.stock(productId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    // A second cancel (another event id) finds nothing left to undo.
    await h.deliver('orders.order.cancelled', { orderId });
    expect(await h.stock(productId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    await expectStockInvariant(h, productId, 5);
  });

  it('leaves a tombstone when it overtakes placed: the later placed reserves nothing', async () => {
    const productId = await h.product(5);
    const orderId = randomUUID();
    await h.deliver('orders.order.cancelled', { orderId });
    expect(await h.status(orderId)).toBe('CANCELLED');

    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 2 }]));
    expect(await h.status(orderId)).toBe('CANCELLED');
    expect(await h.stock(productId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    expect(await h.emitted(orderId)).toEqual([]);
    await expectStockInvariant(h, productId, 5);
  });

  it('racing placed, never holds units for a cancelled order', async () => {
    const productId = await h.product(40);
    const orders = Array.from({ length: 20 }, () => randomUUID());
    const ids = await Promise.all(
      orders.flatMap((orderId) => [
        h.publish('orders.order.cancelled', { orderId }),
        h.publish('orders.order.placed', h.placed(orderId, [{ productId, quantity: 2 }])),
      ]),
    );
    await Promise.all(ids.map((id) => h.processed(id)));
    for (const orderId of orders) expect(await h.status(orderId)).toBe('CANCELLED');
    expect(await h.stock(productId)).toEqual({ onHand: 40, reserved: 0, available: 40 });
    await expectStockInvariant(h, productId, 40);
  });

  it('changes nothing for a rejected order', async () => {
    const productId = await h.product(1);
    const orderId = randomUUID();
    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 2 }]));
    await h.deliver('orders.order.cancelled', { orderId });
    expect(await h.status(orderId)).toBe('REJECTED');
    expect(await h.stock(productId)).toEqual({ onHand: 1, reserved: 0, available: 1 });
    await expectStockInvariant(h, productId, 1);
  });
});
