import { check, type Infer } from './validate';

const item = check.object({ productId: check.uuid(), quantity: check.int(1) });

/** A postal address as users keeps it and an order copies it (the bounds of ADDRESS_LIMITS, checked when it was saved). */
const postalAddress = check.object({
  name: check.string(200),
  line1: check.string(200),
  line2: check.nullable(check.string(200)),
  city: check.string(100),
  region: check.nullable(check.string(100)),
  postalCode: check.string(20),
  country: check.string(2),
  phone: check.nullable(check.string(32)),
});

/**
 * One ADMIN action recorded by the subgraph it changed, in the transaction of the change
 * (recordAudit in common's audit.ts). Users keeps the combined log: it consumes these and
 * serves Query.auditLog. details is the JSON text of { before, after }.
 */
const auditEntry = check.object({
  entryId: check.uuid(),
  at: check.timestamp(),
  actorId: check.uuid(),
  action: check.string(100),
  targetType: check.string(100),
  targetId: check.string(200),
  details: check.string(100_000),
});

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

  /**
   * Product rows changed in what the public API shows (stock, price, name, description,
   * sku, images, category, rating, archived) or were created. Written by a trigger in the
   * changing statement's own transaction (migration 0008). `lists`: the change may move a
   * product into, out of or within a listing (created, archived, price, name, category,
   * rating, or stock crossing zero); a stock change alone only changes the product itself.
   * Gateways drop the cached reads that contain these products, or, with `stock`, write the
   * new stock into them. `stock` (catalog migration 0009): present only when nothing but
   * stock changed and `lists` is false, the products' new stock in the order of `productIds`.
   * `sequence`: increasing in commit order for changes of one product (ignore an older one
   * that arrives late). Both absent from events written before 0009.
   */
  'catalog.products.changed': {
    version: 1,
    payload: check.object({
      productIds: check.array(check.uuid(), 1),
      lists: check.boolean(),
      stock: check.nullable(check.array(check.int())),
      sequence: check.nullable(check.int(0)),
    }),
  },
  /** Categories created or renamed (trigger, like catalog.products.changed). */
  'catalog.categories.changed': {
    version: 1,
    payload: check.object({ categoryIds: check.array(check.uuid(), 1) }),
  },
  /** An ADMIN changed the catalog (products, categories, stock). */
  'catalog.audit.recorded': { version: 1, payload: auditEntry },
  /** An ADMIN changed an order (a cancel; shipping, delivery and coupons when they exist). */
  'orders.audit.recorded': { version: 1, payload: auditEntry },

  /**
   * The user's default shipping address is now `address` (null: they have none). Sent when
   * an account is registered (version 0, none) and by every address change that moves,
   * edits or removes the default, in the transaction of the change. `version` counts the
   * user's announcements (users.default_address_version): a consumer keeps the highest it
   * has applied and ignores an older one that arrives late. Orders keeps the replica
   * checkout reads instead of calling users.
   */
  'users.default-address.changed': {
    version: 1,
    payload: check.object({ userId: check.uuid(), version: check.int(0), address: check.nullable(postalAddress) }),
  },

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
/** The subjects whose payload names an order (every saga event; not the audit entries). */
export type OrderEventSubject = { [S in Subject]: Payload<S> extends { orderId: string } ? S : never }[Subject];

/** What travels on the wire: the payload wrapped with its identity and version. */
export interface EventEnvelope<S extends Subject = Subject> {
  /** The outbox row id; also the JetStream Nats-Msg-Id and the inbox key. */
  id: string;
  subject: S;
  version: number;
  occurredAt: string;
  data: Payload<S>;
  /**
   * The W3C trace context (`traceparent`, `tracestate`) of the span that wrote the event,
   * kept in the outbox row so the relay, whenever it publishes, continues that trace.
   * Only with tracing on; consumers read the NATS headers, not this.
   */
  trace?: Record<string, string>;
}

/** One stream per owning subgraph, holding that owner's subjects. */
export const streams = {
  orders: { name: 'ORDERS', subjects: ['orders.>'] },
  catalog: { name: 'CATALOG', subjects: ['catalog.>'] },
  payments: { name: 'PAYMENTS', subjects: ['payments.>'] },
  users: { name: 'USERS', subjects: ['users.>'] },
  deadLetters: { name: 'DEAD_LETTERS', subjects: ['dlq.>'] },
} as const;

export type StreamName = (typeof streams)[keyof typeof streams]['name'];

export function streamOf(subject: string): StreamName {
  const owner = subject.split('.')[0];
  const stream = Object.values(streams).find((s) => s.subjects[0] === `${owner}.>`);
  if (!stream) throw new Error(`No stream owns subject ${subject}`);
  return stream.name;
}
