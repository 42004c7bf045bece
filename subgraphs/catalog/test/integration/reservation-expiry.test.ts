import { randomUUID } from 'node:crypto';
import { createLogger } from '@storegraph/common';
import { waitFor } from '@storegraph/common/testing';
import { ReservationExpirySweeper } from '../../src/services/reservation-expiry.sweeper';
import { startSaga, type SagaHarness } from './saga.harness';
import { expectStockInvariant } from './stock.invariant';

let h: SagaHarness;
beforeAll(async () => {
  h = await startSaga({ database: 'catalog_saga_expiry', config: { reservationTtlSeconds: 1, reservationSweepIntervalMs: 100 } });
});
afterAll(async () => {
  await h?.stop();
});

describe('reservation expiry', () => {
  it('releases a hold past its TTL, announces it, and a later capture sells nothing', async () => {
    const productId = await h.product(5);
    const orderId = randomUUID();
    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 2 }]));
    expect(await h.stock(productId)).toEqual({ onHand: 5, reserved: 2, available: 3 });

    expect((await h.awaitEvent('catalog.reservation.expired', orderId)).data).toEqual({ orderId });
    expect(await h.status(orderId)).toBe('RELEASED');
    expect(await h.stock(productId)).toEqual({ onHand: 5, reserved: 0, available: 5 });

    await h.deliver('payments.payment.captured', { orderId, paymentId: randomUUID(), amountMinor: 1000 });
    expect(await h.status(orderId)).toBe('RELEASED');
    expect(await h.stock(productId)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    expect(await h.emitted(orderId)).toEqual(['catalog.stock.reserved', 'catalog.reservation.expired']);
    await expectStockInvariant(h, productId, 5);
  });

  it('a capture before the sweep wins: the sale stands and nothing expires', async () => {
    const productId = await h.product(5);
    const orderId = randomUUID();
    await h.deliver('orders.order.placed', h.placed(orderId, [{ productId, quantity: 1 }]));
    await h.deliver('payments.payment.captured', { orderId, paymentId: randomUUID(), amountMinor: 1000 });
    expect(await h.status(orderId)).toBe('SOLD');
    // Past the TTL and several sweeps later, the sale is untouched.
    await waitFor(async () => (await h.sql(`select 1 from reservations where order_id = ? and expires_at < now() - interval '300 milliseconds'`, [orderId])).length > 0);
    expect(await h.status(orderId)).toBe('SOLD');
    expect(await h.emitted(orderId)).toEqual(['catalog.stock.reserved', 'catalog.stock.sold']);
    await expectStockInvariant(h, productId, 5);
  });

  it('several sweepers at once expire each hold exactly once', async () => {
    const productId = await h.product(60);
    const orders = Array.from({ length: 30 }, () => randomUUID());
    const ids = await Promise.all(orders.map((orderId) => h.publish('orders.order.placed', h.placed(orderId, [{ productId, quantity: 2 }]))));
    // Three more instances' sweepers, racing the app's own on the same database.
    const sweepers = Array.from(
      { length: 3 },
      () => new ReservationExpirySweeper({ orm: h.app.database.orm, logger: createLogger('sweeper-test', 'warn'), intervalMs: 20, batchSize: 4 }),
    );
    sweepers.forEach((s) => s.start());
    try {
      await Promise.all(ids.map((id) => h.processed(id)));
      for (const orderId of orders) await h.awaitEvent('catalog.reservation.expired', orderId);
    } finally {
      await Promise.all(sweepers.map((s) => s.stop()));
    }
    for (const orderId of orders) {
      expect(await h.emitted(orderId)).toEqual(['catalog.stock.reserved', 'catalog.reservation.expired']);
    }
    expect(await h.stock(productId)).toEqual({ onHand: 60, reserved: 0, available: 60 });
    await expectStockInvariant(h, productId, 60);
  });
});
