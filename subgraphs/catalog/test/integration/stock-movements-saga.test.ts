import { randomUUID } from 'node:crypto';
import { eventContracts, uuidv7, type EventEnvelope, type StepContext } from '@storegraph/common';
import { ReservationService } from '../../src/services/reservation.service';
import { reservationSteps } from '../../src/services/reservation.steps';
import { codes } from './catalog.harness';
import { startSaga, type SagaHarness } from './saga.harness';

let h: SagaHarness;
beforeAll(async () => {
  h = await startSaga({ database: 'catalog_stock_movements' });
});
afterAll(async () => {
  await h?.stop();
});

const SET_STOCK = `mutation ($id: ID!, $q: Int!) { setStock(productId: $id, quantity: $q) { id } }`;
const ADJUST = `mutation ($id: ID!, $delta: Int!, $reason: String!) { adjustStock(productId: $id, delta: $delta, reason: $reason) { id } }`;

interface MovementRow {
  product_id: string;
  delta: number;
  on_hand: number;
  reason: string;
  order_id: string | null;
}

/** A product's movements, oldest first. */
const movements = (productId: string) =>
  h.sql<MovementRow>('select product_id, delta, on_hand, reason, order_id from stock_movements where product_id = ? order by seq', [productId]);

const captured = (orderId: string): EventEnvelope<'payments.payment.captured'> => ({
  id: uuidv7(),
  subject: 'payments.payment.captured',
  version: eventContracts['payments.payment.captured'].version,
  occurredAt: new Date().toISOString(),
  data: { orderId, paymentId: randomUUID(), amountMinor: 1000 },
});

/** The consumer's side of a one-statement step: the statement runs on its own. */
const stepContext: StepContext = { consumer: 'catalog', run: (statement) => h.sql(statement.text, [...statement.params]) };

/** Two products with `stock` units and a held order of 2 and 3 units of them. */
async function heldOrder(stock: number): Promise<{ orderId: string; products: string[] }> {
  const products = [await h.product(stock), await h.product(stock)];
  const orderId = randomUUID();
  await h.deliver('orders.order.placed', h.placed(orderId, [{ productId: products[0], quantity: 2 }, { productId: products[1], quantity: 3 }]));
  return { orderId, products };
}

/** What a sale left in the history, with the order's and products' ids replaced by their roles. */
async function saleRows(setup: { orderId: string; products: string[] }) {
  const rows = (await Promise.all(setup.products.map(movements))).flat();
  return rows.map((row) => ({ ...row, product_id: setup.products.indexOf(row.product_id), order_id: row.order_id === setup.orderId ? 'the order' : row.order_id }));
}

describe('stock movements of the saga', () => {
  it('the one-statement sell step and the full handler write the same SALE rows, case by case', async () => {
    const cases: Array<{ name: string; prepare: (orderId: string) => Promise<void>; applies: boolean }> = [
      { name: 'a live hold is sold', prepare: async () => undefined, applies: true },
      {
        name: 'a hold that already ended sells nothing',
        prepare: async (orderId) => {
          await h.deliver('orders.order.failed', { orderId, reason: 'PAYMENT_DECLINED' });
        },
        applies: false,
      },
      {
        name: 'a hold already sold is not sold twice',
        prepare: async (orderId) => {
          await h.app.database.orm.em.fork().transactional((tx) => new ReservationService(tx).sell(orderId, randomUUID()));
        },
        applies: false,
      },
    ];
    for (const testCase of cases) {
      const [viaStep, viaHandler] = [await heldOrder(10), await heldOrder(10)];
      await testCase.prepare(viaStep.orderId);
      await testCase.prepare(viaHandler.orderId);

      const outcome = await reservationSteps.sell(stepContext, captured(viaStep.orderId));
      expect({ name: testCase.name, applied: outcome !== null }).toEqual({ name: testCase.name, applied: testCase.applies });
      const sold = await h.app.database.orm.em.fork().transactional((tx) => new ReservationService(tx).sell(viaHandler.orderId, randomUUID()));
      expect(sold).toBe(testCase.applies);

      const [stepRows, handlerRows] = [await saleRows(viaStep), await saleRows(viaHandler)];
      expect({ name: testCase.name, rows: stepRows }).toEqual({ name: testCase.name, rows: handlerRows });
      const sales = stepRows.filter((row) => row.reason === 'SALE');
      expect(sales).toEqual(
        testCase.name !== 'a hold that already ended sells nothing'
          ? [
              { product_id: 0, delta: -2, on_hand: 8, reason: 'SALE', order_id: 'the order' },
              { product_id: 1, delta: -3, on_hand: 7, reason: 'SALE', order_id: 'the order' },
            ]
          : [],
      );
    }
  });

  it('a capture through the consumer still applies by the one-statement step, and records the SALE', async () => {
    const { orderId, products } = await heldOrder(10);
    const stepsBefore = h.app.events.consumer!.stepsApplied;
    await h.deliver('payments.payment.captured', { orderId, paymentId: randomUUID(), amountMinor: 1000 });
    expect(h.app.events.consumer!.stepsApplied).toBe(stepsBefore + 1);
    expect((await movements(products[0])).map((m) => [m.reason, m.delta, m.order_id])).toEqual([
      ['RESTOCK', 10, null],
      ['SALE', -2, orderId],
    ]);
  });

  it('a cancelled paid order is restocked as a RETURN; a cancelled hold moves nothing on hand', async () => {
    const paid = await heldOrder(10);
    await h.deliver('payments.payment.captured', { orderId: paid.orderId, paymentId: randomUUID(), amountMinor: 1000 });
    await h.deliver('orders.order.cancelled', { orderId: paid.orderId });
    expect((await movements(paid.products[1])).map((m) => [m.reason, m.delta, m.on_hand, m.order_id])).toEqual([
      ['RESTOCK', 10, 10, null],
      ['SALE', -3, 7, paid.orderId],
      ['RETURN', 3, 10, paid.orderId],
    ]);
    const held = await heldOrder(10);
    await h.deliver('orders.order.cancelled', { orderId: held.orderId });
    expect((await movements(held.products[0])).map((m) => m.reason)).toEqual(['RESTOCK']);
  });

  it('after a concurrent mixed run, every product’s movements sum to its units on hand', async () => {
    const products = await Promise.all([0, 1, 2].map(() => h.product(30)));
    const orders = Array.from({ length: 45 }, (_, i) => ({
      orderId: randomUUID(),
      items: [
        { productId: products[i % 3], quantity: 1 + (i % 4) },
        { productId: products[(i + 1) % 3], quantity: 1 },
      ],
    }));
    const admin = h.as('ADMIN');
    const adminWork = async (round: number) => {
      for (const [i, id] of products.entries()) {
        const adjusted = await h.call(ADJUST, { id, delta: round % 2 === 0 ? 4 : -3, reason: `round ${round}` }, admin);
        const set = await h.call(SET_STOCK, { id, q: 25 + ((round + i) % 10) }, admin);
        // Refused when the saga holds too much at that moment: CONFLICT, and nothing written.
        for (const res of [adjusted, set]) expect(codes(res).filter((code) => code !== 'CONFLICT')).toEqual([]);
      }
    };

    const placed = await Promise.all(orders.map((o) => h.publish('orders.order.placed', h.placed(o.orderId, o.items))));
    await Promise.all([...Array.from({ length: 4 }, (_, round) => adminWork(round)), Promise.all(placed.map((id) => h.processed(id)))]);

    // Every held order is paid; every third order is cancelled (paid ones come back as RETURN).
    const payments = await Promise.all(orders.map((o) => h.publish('payments.payment.captured', { orderId: o.orderId, paymentId: randomUUID(), amountMinor: 1000 })));
    const cancels = await Promise.all(
      orders.filter((_, i) => i % 3 === 0).map((o) => h.publish('orders.order.cancelled', { orderId: o.orderId })),
    );
    await Promise.all([
      ...Array.from({ length: 4 }, (_, round) => adminWork(round + 4)),
      Promise.all([...payments, ...cancels].map((id) => h.processed(id))),
    ]);

    const reasons = new Set<string>();
    for (const productId of products) {
      const rows = await movements(productId);
      rows.forEach((row) => reasons.add(row.reason));
      const { onHand } = await h.stock(productId);
      expect({ productId, sum: rows.reduce((sum, row) => sum + row.delta, 0) }).toEqual({ productId, sum: onHand });
      // Each row's onHand is the running total: no movement was lost or written out of turn.
      let running = 0;
      for (const row of rows) {
        running += row.delta;
        expect(row.on_hand).toBe(running);
      }
    }
    expect([...reasons].filter((r) => ['RESTOCK', 'CORRECTION', 'SALE', 'RETURN'].includes(r)).sort()).toEqual(['CORRECTION', 'RESTOCK', 'RETURN', 'SALE']);
  }, 60_000);
});
