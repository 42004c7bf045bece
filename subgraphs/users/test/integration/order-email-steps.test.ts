import { randomUUID } from 'node:crypto';
import { eventContracts, preparedRunner, uuidv7, type EventEnvelope, type Payload } from '@storegraph/common';
import { ORDER_EMAIL_MAX_EVENT_AGE_MS, orderEmailHandler, orderEmailStep } from '../../src/events/handlers/order-email.handlers';
import { UsersHarness } from '../support/users-harness';

/**
 * Order news reaches email_outbox by two routes: the one-statement step (tried first)
 * and the handler in a transaction (what the consumer runs when the step does not apply).
 * Both write what `owedBy` says; the same cases run through each and must leave the same
 * rows, so the two cannot drift.
 */
type News = 'orders.order.confirmed' | 'orders.order.failed' | 'orders.order.cancelled' | 'orders.order.shipped';

let h: UsersHarness;
/** Every event id this file made: its email_outbox rows are removed at the end. */
const madeIds: string[] = [];
beforeAll(async () => {
  // The sender waits an hour between rounds: the rows this file writes stay as written.
  h = await UsersHarness.start({ EMAIL_SEND_INTERVAL_MS: '3600000' });
});
afterAll(async () => {
  // Rows of orders that never existed: another file's sender would only park them.
  await h?.app.database.orm.em.fork().execute('delete from email_outbox where id = any(?::uuid[])', [`{${madeIds.join(',')}}`]);
  await h?.stop();
});

const CONSUMER = 'users-step-test';

function envelope<S extends News>(subject: S, data: Payload<S>, occurredAt = new Date()): EventEnvelope<S> {
  const id = uuidv7();
  madeIds.push(id);
  return { id, subject, version: eventContracts[subject].version, occurredAt: occurredAt.toISOString(), data };
}

interface Route {
  /** True when this route's own path wrote it (the step applied, or the handler ran). */
  apply(event: EventEnvelope<News>): Promise<boolean>;
}

const viaStep: Route = {
  apply: async (event) => {
    const ctx = { consumer: CONSUMER, run: preparedRunner(h.app.database.orm.em.getConnection().getKnex()) };
    return (await orderEmailStep<News>()(ctx, event)) !== null;
  },
};

/** As the consumer runs a handler (packages/common/src/events/consumer.ts): the inbox mark, then the handler, one transaction. */
const viaHandler: Route = {
  apply: (event) =>
    h.app.database.orm.em.fork().transactional(async (tx) => {
      const inserted: unknown[] = await tx.execute(
        'insert into processed_events (event_id, consumer, subject) values (?, ?, ?) on conflict do nothing returning event_id',
        [event.id, CONSUMER, event.subject],
      );
      if (inserted.length === 0) return false;
      await orderEmailHandler<News>()(tx, event);
      return true;
    }),
};

interface Written {
  inbox: number;
  emails: Array<{ kind: string; order_id: string; user_id: string | null; details: unknown; status: string; attempts: number }>;
}

async function written(event: EventEnvelope<News>): Promise<Written> {
  const em = h.app.database.orm.em.fork();
  const inbox = await em.execute<unknown[]>('select 1 from processed_events where event_id = ? and consumer = ?', [event.id, CONSUMER]);
  const emails = await em.execute<Written['emails']>('select kind, order_id, user_id, details, status, attempts from email_outbox where id = ?', [event.id]);
  return { inbox: inbox.length, emails };
}

/** Each case, its event (fresh ids per run) and the rows it must leave. */
const cases: Array<[string, () => EventEnvelope<News>, (e: EventEnvelope<News>) => Written]> = [
  [
    'confirmed: a receipt owed',
    () => envelope('orders.order.confirmed', { orderId: randomUUID() }),
    (e) => ({ inbox: 1, emails: [{ kind: 'order_confirmed', order_id: orderIdOf(e), user_id: null, details: {}, status: 'PENDING', attempts: 0 }] }),
  ],
  [
    'failed: the reason kept for the email',
    () => envelope('orders.order.failed', { orderId: randomUUID(), reason: 'PAYMENT_DECLINED' }),
    (e) => ({
      inbox: 1,
      emails: [{ kind: 'order_failed', order_id: orderIdOf(e), user_id: null, details: { reason: 'PAYMENT_DECLINED' }, status: 'PENDING', attempts: 0 }],
    }),
  ],
  [
    'cancelled: the refund email owed',
    () => envelope('orders.order.cancelled', { orderId: randomUUID() }),
    (e) => ({ inbox: 1, emails: [{ kind: 'order_cancelled', order_id: orderIdOf(e), user_id: null, details: {}, status: 'PENDING', attempts: 0 }] }),
  ],
  [
    'shipped: the shopper, carrier and tracking number from the event',
    () =>
      envelope('orders.order.shipped', {
        orderId: randomUUID(),
        userId: SHOPPER,
        carrier: 'Parcel & Co',
        trackingNumber: 'PC-1',
      }),
    (e) => ({
      inbox: 1,
      emails: [
        {
          kind: 'order_shipped',
          order_id: orderIdOf(e),
          user_id: SHOPPER,
          details: { carrier: 'Parcel & Co', trackingNumber: 'PC-1' },
          status: 'PENDING',
          attempts: 0,
        },
      ],
    }),
  ],
  [
    'news older than a day: marked processed, no email',
    () =>
      envelope(
        'orders.order.confirmed',
        { orderId: randomUUID() },
        new Date(Date.now() - ORDER_EMAIL_MAX_EVENT_AGE_MS - 60_000),
      ),
    () => ({ inbox: 1, emails: [] }),
  ],
];

const SHOPPER = randomUUID();
const orderIdOf = (e: EventEnvelope<News>) => (e.data as { orderId: string }).orderId;

describe.each([
  ['the one-statement step', viaStep],
  ['the handler', viaHandler],
])('order news written by %s', (name, route) => {
  it.each(cases)('%s', async (_case, make, expected) => {
    const event = make();
    const wrote = await route.apply(event);
    if (name === 'the one-statement step') {
      // The step applies only to a fresh event that owes an email; anything else is the handler's.
      expect(wrote).toBe(expected(event).emails.length > 0);
      if (!wrote) await viaHandler.apply(event);
    }
    expect(await written(event)).toEqual(expected(event));
  });

  it('a redelivered event writes nothing more', async () => {
    const event = envelope('orders.order.failed', { orderId: randomUUID(), reason: 'OUT_OF_STOCK' });
    await route.apply(event);
    const once = await written(event);
    // The second delivery: a step declines it (the handler then finds it in the inbox), the handler finds it there.
    expect(await route.apply(event)).toBe(false);
    expect(await viaHandler.apply(event)).toBe(false);
    expect(await written(event)).toEqual(once);
    expect(once.emails).toHaveLength(1);
  });
});
