import { uuidv7, type EventBus, type EventEnvelope, type Payload, type Subject } from '@storegraph/common';
import { waitFor } from '@storegraph/common/testing';
import type { OrdersApp } from '../../src/app';

/** Plays catalog or payments: publishes one event as their relay would (envelope id = Nats-Msg-Id). */
export async function publish<S extends Subject>(app: OrdersApp, subject: S, data: Payload<S>): Promise<EventEnvelope<S>> {
  const envelope: EventEnvelope<S> = { id: uuidv7(), subject, version: 1, occurredAt: new Date().toISOString(), data };
  await deliver(app, envelope);
  return envelope;
}

/** Publishes an envelope; another msgId gets past JetStream's de-duplication, as a redelivery would. */
export async function deliver(app: OrdersApp, envelope: EventEnvelope, msgId = envelope.id): Promise<void> {
  const { bus } = app.events;
  await bus.js.publish(bus.subject(envelope.subject), JSON.stringify(envelope), { msgID: msgId });
}

/** Waits until orders' inbox holds the event: its effect (or its deliberate non-effect) has committed. */
export async function applied(app: OrdersApp, eventId: string): Promise<void> {
  await waitFor(
    async () => {
      const rows = await app.database.orm.em
        .fork()
        .execute('select 1 from processed_events where event_id = ? and consumer = ?', [eventId, 'orders']);
      return rows.length === 1;
    },
    { what: `event ${eventId} to be applied` },
  );
}

export async function publishAndApply<S extends Subject>(app: OrdersApp, subject: S, data: Payload<S>): Promise<EventEnvelope<S>> {
  const envelope = await publish(app, subject, data);
  await applied(app, envelope.id);
  return envelope;
}

export interface Emitted {
  subject: string;
  data: Record<string, unknown>;
}

/** What orders committed to its outbox about one order: the source of truth for "exactly once". */
export async function emitted(app: OrdersApp, orderId: string): Promise<Emitted[]> {
  const rows = await app.database.orm.em
    .fork()
    .execute<Array<{ envelope: EventEnvelope }>>(`select envelope from outbox where envelope->'data'->>'orderId' = ? order by id`, [
      orderId,
    ]);
  return rows.map((row) => ({ subject: row.envelope.subject, data: row.envelope.data as unknown as Record<string, unknown> }));
}

/** The subjects emitted for an order, sorted (ids within one millisecond are not ordered). */
export async function emittedSubjects(app: OrdersApp, orderId: string): Promise<string[]> {
  return (await emitted(app, orderId)).map((e) => e.subject).sort();
}

export interface SagaColumns {
  status: string;
  failure_reason: string | null;
  payment_id: string | null;
  refund_requested: boolean;
  status_history: Array<{ status: string; at: string }>;
}

export async function orderRow(app: OrdersApp, id: string): Promise<SagaColumns> {
  const [row] = await app.database.orm.em
    .fork()
    .execute<SagaColumns[]>('select status, failure_reason, payment_id, refund_requested, status_history from orders where id = ?', [id]);
  return row;
}

/** A plain NATS subscription on `orders.>`: what actually left orders, as any subscriber sees it. */
export class Observer {
  readonly seen: EventEnvelope[] = [];
  private readonly subscription: ReturnType<EventBus['nc']['subscribe']>;

  constructor(bus: EventBus) {
    this.subscription = bus.nc.subscribe(bus.subject('orders.>'), {
      callback: (err, msg) => {
        if (!err) this.seen.push(JSON.parse(new TextDecoder().decode(msg.data)) as EventEnvelope);
      },
    });
  }

  /** Waits for the event on the wire and returns it. */
  async next<S extends Subject>(subject: S, orderId: string): Promise<EventEnvelope<S>> {
    const found = await waitFor(
      () => this.seen.find((e): e is EventEnvelope<S> => e.subject === subject && (e.data as { orderId: string }).orderId === orderId),
      { what: `${subject} for ${orderId} on NATS` },
    );
    return found;
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}
