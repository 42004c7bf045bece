import { randomUUID } from 'node:crypto';
import { startSaga, type SagaHarness } from './saga.harness';
import { expectStockInvariant } from './stock.invariant';

let h: SagaHarness;
beforeAll(async () => {
  h = await startSaga({ database: 'catalog_saga_concurrency' });
});
afterAll(async () => {
  await h?.stop();
});

const uuids = (ids: string[]) => `{${ids.join(',')}}`;

describe('concurrent reservations', () => {
  it('50 orders racing for 5 units: exactly 5 held, 45 rejected, never oversold', async () => {
    const productId = await h.product(5);
    const retriesBefore = h.app.events.consumer!.counts.retry;
    const orders = Array.from({ length: 50 }, () => randomUUID());
    const ids = await Promise.all(orders.map((orderId) => h.publish('orders.order.placed', h.placed(orderId, [{ productId, quantity: 1 }]))));

    // Sample the row while the consumer works: reserved must never pass on_hand.
    const samples: Array<{ onHand: number; reserved: number }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) samples.push(await h.stock(productId));
    })();
    await Promise.all(ids.map((id) => h.processed(id)));
    sampling = false;
    await sampler;
    expect(samples.filter((s) => s.reserved > s.onHand)).toEqual([]);
    // The row locks decide, not the check constraint: no handler had to fail and retry.
    expect(h.app.events.consumer!.counts.retry).toBe(retriesBefore);

    const held = (
      await h.sql<{ order_id: string }>(`select order_id from reservations where order_id = any(?::uuid[]) and status = 'HELD'`, [uuids(orders)])
    ).map((row) => row.order_id);
    const rejected = (
      await h.sql<{ order_id: string }>(`select order_id from reservations where order_id = any(?::uuid[]) and status = 'REJECTED'`, [uuids(orders)])
    ).map((row) => row.order_id);
    expect([held.length, rejected.length]).toEqual([5, 45]);
    expect(await h.stock(productId)).toEqual({ onHand: 5, reserved: 5, available: 0 });

    for (const orderId of held) await h.awaitEvent('catalog.stock.reserved', orderId);
    for (const orderId of rejected) await h.awaitEvent('catalog.stock.rejected', orderId);
    for (const orderId of orders) expect((await h.emitted(orderId)).length).toBe(1);
    await expectStockInvariant(h, productId, 5);
  });

  it('orders naming the same products in opposite orders never deadlock', async () => {
    const [a, b] = [await h.product(100), await h.product(100)];
    const retriesBefore = h.app.events.consumer!.counts.retry;
    const orders = Array.from({ length: 40 }, () => randomUUID());
    const ids = await Promise.all(
      orders.map((orderId, i) =>
        h.publish(
          'orders.order.placed',
          h.placed(orderId, i % 2 === 0 ? [{ productId: a, quantity: 1 }, { productId: b, quantity: 2 }] : [{ productId: b, quantity: 2 }, { productId: a, quantity: 1 }]),
        ),
      ),
    );
    await Promise.all(ids.map((id) => h.processed(id)));
    // Half of them are then released while the others are sold: stock moves both ways at once.
    const endIds = await Promise.all(
      orders.map((orderId, i) =>
        i % 2 === 0
          ? h.publish('orders.order.failed', { orderId, reason: 'PAYMENT_DECLINED' })
          : h.publish('payments.payment.captured', { orderId, paymentId: randomUUID(), amountMinor: 1 }),
      ),
    );
    await Promise.all(endIds.map((id) => h.processed(id)));

    expect(h.app.events.consumer!.counts.retry).toBe(retriesBefore);
    expect(await h.stock(a)).toEqual({ onHand: 80, reserved: 0, available: 80 });
    expect(await h.stock(b)).toEqual({ onHand: 60, reserved: 0, available: 60 });
    await expectStockInvariant(h, a, 100);
    await expectStockInvariant(h, b, 100);
  });
});
