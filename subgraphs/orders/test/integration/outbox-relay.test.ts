import { waitFor } from '@storegraph/common/testing';
import { createApp, type OrdersApp } from '../../src/app';
import { actor, createProduct, placeOrder, startHarness, type Harness } from '../support/harness';
import { emittedSubjects, Observer } from '../support/saga';

let h: Harness;
let later: OrdersApp | undefined;

beforeAll(async () => {
  // No relay, and an outbox no other test file's relay drains: orders "crashed" after commit.
  h = await startHarness({ database: 'orders_outbox', relay: false });
});
afterAll(async () => {
  await later?.stop();
  await h?.stop();
});

async function published(orderId: string): Promise<boolean[]> {
  const rows = await h.orders.database.orm.em
    .fork()
    .execute<Array<{ published: boolean }>>(
      `select published_at is not null as published from outbox where envelope->'data'->>'orderId' = ?`,
      [orderId],
    );
  return rows.map((row) => row.published);
}

describe('outbox relay', () => {
  it('checkout commits its events with the order; a relay started later publishes them', async () => {
    const observer = new Observer(h.orders.events.bus);
    try {
      const { id } = await placeOrder(h, actor(h.secret), await createProduct(h, '1.00'));
      expect(await emittedSubjects(h.orders, id)).toEqual(['orders.order.placed']);
      expect(await published(id)).toEqual([false]);

      // The restarted process: same database and namespace, relay on; its sweeper finds the rows.
      later = await createApp(h.config, { sweepIntervalMs: 100 });
      const placed = await observer.next('orders.order.placed', id);
      expect(placed.data.orderId).toBe(id);
      await waitFor(async () => (await published(id)).every(Boolean), { what: 'the rows to be marked published' });
    } finally {
      observer.stop();
    }
  });
});
