import { check, type Infer } from './validate';

const item = check.object({ productId: check.uuid(), quantity: check.int(1) });

/**
 * Every event of the system: subject -> contract version and payload shape. Publishers
 * and consumers both type against this one map and consumers validate on receipt.
 * Subjects are `<owner>.<aggregate>.<verb>` in the past tense; the owner's stream holds
 * them. The seven `orders.order.*` events are also the order's status changes (placed =
 * PENDING, reserved, confirmed, failed, cancelled, shipped, delivered): live subscribers follow those. A payload change that is not backwards compatible bumps `version`.
 */
export const eventContracts = {
  /** A checkout created the order (PENDING). Catalog reserves its items. */
  'orders.order.placed': {
    version: 1,
    payload: check.object({
      orderId: check.uuid(),
      userId: check.uuid(),
      items: check.array(item, 1),
      amountMinor: check.int(0),
      currency: check.string(3),
    }),
  },
  /** The order holds its stock (RESERVED). Payments captures the amount with the token. */
  'orders.order.reserved': {
    version: 1,
    payload: check.object({
      orderId: check.uuid(),
      userId: check.uuid(),
      amountMinor: check.int(0),
      currency: check.string(3),
      paymentToken: check.string(255),
    }),
  },
  /** The order is paid and its stock sold (CONFIRMED). */
  'orders.order.confirmed': { version: 1, payload: check.object({ orderId: check.uuid() }) },
  /** The order failed; catalog releases whatever it still holds for it. */
  'orders.order.failed': {
    version: 1,
    payload: check.object({
      orderId: check.uuid(),
      reason: check.oneOf('OUT_OF_STOCK', 'PAYMENT_DECLINED', 'RESERVATION_EXPIRED'),
    }),
  },
  /** The owner or an ADMIN cancelled; catalog releases or restocks. */
  'orders.order.cancelled': { version: 1, payload: check.object({ orderId: check.uuid() }) },
  /** An ADMIN shipped the confirmed order (SHIPPED). Users emails the shopper. */
  'orders.order.shipped': {
    version: 1,
    payload: check.object({ orderId: check.uuid(), userId: check.uuid(), carrier: check.string(100), trackingNumber: check.string(100) }),
  },
  /** The shipped order arrived (DELIVERED): the last status. */
  'orders.order.delivered': { version: 1, payload: check.object({ orderId: check.uuid(), userId: check.uuid() }) },
  /** A captured payment must go back (cancelled, failed or expired order). */
  'orders.refund.requested': { version: 1, payload: check.object({ orderId: check.uuid() }) },

  /** All lines of the order are held until expiresAt. */
  'catalog.stock.reserved': {
    version: 1,
    payload: check.object({ orderId: check.uuid(), expiresAt: check.timestamp() }),
  },
  /** Not every line could be held; nothing was. */
  'catalog.stock.rejected': {
    version: 1,
    payload: check.object({ orderId: check.uuid(), productIds: check.array(check.uuid()) }),
  },
  /** The held stock became a sale (after a capture, before the hold expired). */
  'catalog.stock.sold': {
    version: 1,
    payload: check.object({ orderId: check.uuid(), paymentId: check.uuid() }),
  },
  /** The hold ran past RESERVATION_TTL_SECONDS and was released. */
  'catalog.reservation.expired': { version: 1, payload: check.object({ orderId: check.uuid() }) },

  'payments.payment.captured': {
    version: 1,
    payload: check.object({ orderId: check.uuid(), paymentId: check.uuid(), amountMinor: check.int(0) }),
  },
  'payments.payment.failed': {
    version: 1,
    payload: check.object({ orderId: check.uuid(), paymentId: check.uuid(), reason: check.string(500) }),
  },
  'payments.payment.refunded': {
    version: 1,
    payload: check.object({ orderId: check.uuid(), paymentId: check.uuid(), amountMinor: check.int(0) }),
  },
} as const;

export type Subject = keyof typeof eventContracts;
export type Payload<S extends Subject> = Infer<(typeof eventContracts)[S]['payload']>;

/** What travels on the wire: the payload wrapped with its identity and version. */
export interface EventEnvelope<S extends Subject = Subject> {
  /** The outbox row id; also the JetStream Nats-Msg-Id and the inbox key. */
  id: string;
  subject: S;
  version: number;
  occurredAt: string;
  data: Payload<S>;
}

/** One stream per owning subgraph, holding that owner's subjects. */
export const streams = {
  orders: { name: 'ORDERS', subjects: ['orders.>'] },
  catalog: { name: 'CATALOG', subjects: ['catalog.>'] },
  payments: { name: 'PAYMENTS', subjects: ['payments.>'] },
  deadLetters: { name: 'DEAD_LETTERS', subjects: ['dlq.>'] },
} as const;

export type StreamName = (typeof streams)[keyof typeof streams]['name'];

export function streamOf(subject: string): StreamName {
  const owner = subject.split('.')[0];
  const stream = Object.values(streams).find((s) => s.subjects[0] === `${owner}.>`);
  if (!stream) throw new Error(`No stream owns subject ${subject}`);
  return stream.name;
}
