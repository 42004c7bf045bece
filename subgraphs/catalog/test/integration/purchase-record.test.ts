import { randomUUID } from 'node:crypto';
import { ReservationService } from '../../src/services/reservation.service';
import { hasPaidOrderOf } from '../../src/services/purchase.record';
import { startSaga, type SagaHarness } from './saga.harness';

/**
 * "Has a paid order of the product" is read from catalog's reservations, which the saga
 * writes by two routes: the one-statement steps (tried first) and the full handler rule
 * (ReservationService). Both must record the buyer and the sale alike, so the same cases
 * run through each.
 */
let h: SagaHarness;
beforeAll(async () => {
  h = await startSaga({ database: 'catalog_purchases' });
});
afterAll(async () => {
  await h?.stop();
});

interface Route {
  place(orderId: string, userId: string, productId: string): Promise<void>;
  /** `sells: false`: the hold has ended, so the step falls through to the full rule. */
  capture(orderId: string, sells?: boolean): Promise<void>;
  cancel(orderId: string): Promise<void>;
  fail(orderId: string): Promise<void>;
}

const viaSteps: Route = {
  place: async (orderId, userId, productId) => {
    const before = h.app.events.consumer?.stepsApplied ?? 0;
    await h.deliver('orders.order.placed', { ...h.placed(orderId, [{ productId, quantity: 1 }]), userId });
    expect(h.app.events.consumer?.stepsApplied).toBe(before + 1);
  },
  capture: async (orderId, sells = true) => {
    const before = h.app.events.consumer?.stepsApplied ?? 0;
    await h.deliver('payments.payment.captured', { orderId, paymentId: randomUUID(), amountMinor: 100 });
    expect(h.app.events.consumer?.stepsApplied).toBe(before + (sells ? 1 : 0));
  },
  cancel: async (orderId) => void (await h.deliver('orders.order.cancelled', { orderId })),
  fail: async (orderId) => void (await h.deliver('orders.order.failed', { orderId, reason: 'PAYMENT_DECLINED' })),
};

const inTransaction = (work: (service: ReservationService) => Promise<unknown>) =>
  h.app.database.orm.em.fork().transactional(async (tx) => void (await work(new ReservationService(tx))));

const viaHandlerRule: Route = {
  place: (orderId, userId, productId) => inTransaction((s) => s.reserve(orderId, userId, [{ productId, quantity: 1 }], 900)),
  capture: (orderId) => inTransaction((s) => s.sell(orderId, randomUUID())),
  cancel: (orderId) => inTransaction((s) => s.cancel(orderId)),
  fail: (orderId) => inTransaction((s) => s.release(orderId)),
};

const paid = (userId: string, productId: string) => hasPaidOrderOf(h.app.database.orm.em.fork(), userId, productId);

describe.each([
  ['the one-statement steps', viaSteps],
  ['the handler rule', viaHandlerRule],
])('a purchase recorded by %s', (_name, route) => {
  it('keeps the buyer: a captured order is a paid order of its product, for that user only', async () => {
    const [product, other] = [await h.product(5), await h.product(5)];
    const [buyer, stranger, orderId] = [randomUUID(), randomUUID(), randomUUID()];
    await route.place(orderId, buyer, product);
    expect((await h.sql<{ user_id: string }>('select user_id from reservations where order_id = ?', [orderId]))[0].user_id).toBe(buyer);
    expect(await paid(buyer, product)).toBe(false); // held, not paid yet
    await route.capture(orderId);
    expect(await paid(buyer, product)).toBe(true);
    expect(await paid(stranger, product)).toBe(false);
    expect(await paid(buyer, other)).toBe(false);
  });

  it('a failed order never was a purchase', async () => {
    const product = await h.product(5);
    const [buyer, orderId] = [randomUUID(), randomUUID()];
    await route.place(orderId, buyer, product);
    await route.fail(orderId);
    await route.capture(orderId, false); // a capture after the hold ended sells nothing
    expect(await h.status(orderId)).toBe('RELEASED');
    expect(await paid(buyer, product)).toBe(false);
  });

  it('a cancelled paid order stops counting; another paid order of the product still does', async () => {
    const product = await h.product(5);
    const [buyer, first, second] = [randomUUID(), randomUUID(), randomUUID()];
    await route.place(first, buyer, product);
    await route.capture(first);
    await route.cancel(first);
    expect(await h.status(first)).toBe('CANCELLED');
    expect(await paid(buyer, product)).toBe(false);
    await route.place(second, buyer, product);
    await route.capture(second);
    expect(await paid(buyer, product)).toBe(true);
  });
});
