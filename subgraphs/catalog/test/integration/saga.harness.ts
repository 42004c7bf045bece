import { randomUUID } from 'node:crypto';
import type { Subscription as NatsSubscription } from '@nats-io/nats-core';
import { eventContracts, uuidv7, type EventEnvelope, type OrderEventSubject, type Payload, type Subject } from '@storegraph/common';
import { unique, waitFor } from '@storegraph/common/testing';
import type { ReservationStatus } from '../../src/services/reservation.service';
import { createProduct, startCatalog, type Harness, type HarnessOptions } from './catalog.harness';

// The saga events catalog emits (its audit entries name no order).
type CatalogSubject = Extract<OrderEventSubject, `catalog.${string}`>;

/**
 * Catalog driven the way the saga drives it: envelopes published to the file's namespace
 * as orders and payments would, and catalog's own events read back off the bus.
 */
export interface SagaHarness extends Harness {
  /** Publishes one event; `id` is the event id (and Nats-Msg-Id), fresh unless given. */
  publish<S extends Subject>(subject: S, data: Payload<S>, id?: string): Promise<string>;
  /** Publishes and waits until catalog's inbox has recorded it (its effect has committed). */
  deliver<S extends Subject>(subject: S, data: Payload<S>, id?: string): Promise<string>;
  processed(eventId: string): Promise<void>;
  /** Catalog events seen on the bus for an order. */
  seen<S extends CatalogSubject>(subject: S, orderId: string): Array<EventEnvelope<S>>;
  awaitEvent<S extends CatalogSubject>(subject: S, orderId: string): Promise<EventEnvelope<S>>;
  /** Catalog events about an order written to the outbox (committed, published or not). */
  emitted(orderId: string): Promise<string[]>;
  placed(orderId: string, items: Array<{ productId: string; quantity: number }>): Payload<'orders.order.placed'>;
  /** A product with `stock` units on hand, created through the API. */
  product(stock: number): Promise<string>;
  stock(productId: string): Promise<{ onHand: number; reserved: number; available: number }>;
  status(orderId: string): Promise<ReservationStatus | null>;
}

export async function startSaga(options: HarnessOptions & { database: string }): Promise<SagaHarness> {
  const h = await startCatalog({ ...options, app: { relay: true, expirySweeper: true, ...options.app } });
  const { bus } = h.app.events;
  const received: Array<EventEnvelope<Subject>> = [];
  // A plain subscription sees every message the relay publishes to the catalog stream.
  const subscription: NatsSubscription = bus.nc.subscribe(bus.subject('catalog.>'));
  void (async () => {
    for await (const msg of subscription) received.push(msg.json<EventEnvelope<Subject>>());
  })();

  const publish = async <S extends Subject>(subject: S, data: Payload<S>, id: string = uuidv7()): Promise<string> => {
    const envelope: EventEnvelope<S> = { id, subject, version: eventContracts[subject].version, occurredAt: new Date().toISOString(), data };
    // A fresh Nats-Msg-Id per publish: a redelivery test publishes the same envelope twice.
    await bus.js.publish(bus.subject(subject), JSON.stringify(envelope), { msgID: `${id}:${randomUUID()}` });
    return id;
  };
  const processed = async (eventId: string): Promise<void> => {
    await waitFor(async () => (await h.sql('select 1 from processed_events where event_id = ? and consumer = ?', [eventId, 'catalog'])).length > 0, {
      what: `event ${eventId} to be processed`,
    });
  };
  const seen = <S extends CatalogSubject>(subject: S, orderId: string): Array<EventEnvelope<S>> =>
    received.filter((e): e is EventEnvelope<S> => e.subject === subject && (e.data as { orderId?: string }).orderId === orderId);

  return {
    ...h,
    stop: async () => {
      subscription.unsubscribe();
      await h.stop();
    },
    publish,
    processed,
    deliver: async (subject, data, id) => {
      const eventId = await publish(subject, data, id);
      await processed(eventId);
      return eventId;
    },
    seen,
    awaitEvent: (subject, orderId) => waitFor(() => seen(subject, orderId)[0], { what: `${subject} for ${orderId}` }),
    emitted: async (orderId) =>
      (
        await h.sql<{ subject: string }>(`select subject from outbox where envelope->'data'->>'orderId' = ? order by id`, [orderId])
      ).map((row) => row.subject),
    placed: (orderId, items) => ({ orderId, userId: randomUUID(), items, amountMinor: 1000, currency: 'USD' }),
    product: async (stock) => (await createProduct(h, { sku: unique('SAGA'), stock })).id,
    stock: async (productId) => {
      const [row] = await h.sql<{ on_hand: number; reserved: number }>('select on_hand, reserved from products where id = ?', [productId]);
      return { onHand: row.on_hand, reserved: row.reserved, available: row.on_hand - row.reserved };
    },
    status: async (orderId) => {
      const [row] = await h.sql<{ status: ReservationStatus }>('select status from reservations where order_id = ?', [orderId]);
      return row?.status ?? null;
    },
  };
}
