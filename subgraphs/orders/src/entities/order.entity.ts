import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { uuidv7 } from '@storegraph/common';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { OrderFailureReason, OrderStatus } from './order-status.enum';

/** One entry of `status_history`, as stored in JSON (`at` is an ISO string there). */
export interface StatusHistoryEntry {
  status: OrderStatus;
  at: string;
}

/** The address an order ships to, as copied at checkout (stored as JSON). */
export interface StoredShippingAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
}

/**
 * `user`, `items`, `subtotal`, `discount`, `total`, `coupon`, `statusHistory`, `shippingAddress` and `shipment`
 * are resolved by OrderResolver: they need stubs, a DataLoader or the conversion from stored form. `paymentToken`, the
 * idempotency columns and the saga's payment bookkeeping are never exposed.
 */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'Entity, key "id". Owned by orders; `payment` is contributed by the payments subgraph.' })
@Entity({ tableName: 'orders' })
@Unique({ name: 'orders_user_idempotency_key_unique', properties: ['userId', 'idempotencyKey'] })
export class Order {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'uuid', fieldName: 'user_id' })
  userId!: string;

  @Field(() => OrderStatus)
  @Property({ type: 'text', fieldName: 'status' })
  status: OrderStatus = OrderStatus.PENDING;

  @Field(() => OrderFailureReason, { nullable: true })
  @Property({ type: 'text', fieldName: 'failure_reason', nullable: true })
  failureReason: OrderFailureReason | null = null;

  /** What the customer pays: the subtotal less the discount. */
  @Property({ type: 'integer', fieldName: 'total_minor' })
  totalMinor!: number;

  /** What the coupon took off at checkout (0 without one); subtotal = total + discount. */
  @Property({ type: 'integer', fieldName: 'discount_minor' })
  discountMinor = 0;

  /** The coupon the order holds a use of, until it is FAILED or CANCELLED. */
  @Property({ type: 'uuid', fieldName: 'coupon_id', nullable: true })
  couponId: string | null = null;

  /** The coupon's code as it was created, frozen with the discount. */
  @Property({ type: 'text', fieldName: 'coupon_code', nullable: true })
  couponCode: string | null = null;

  @Property({ type: 'text', fieldName: 'currency' })
  currency!: string;

  @Property({ type: 'json', fieldName: 'status_history' })
  statusHistory: StatusHistoryEntry[] = [];

  /** The provider's token (not card data): the saga's payment step charges it. */
  @Property({ type: 'text', fieldName: 'payment_token' })
  paymentToken!: string;

  /** The captured payment orders has heard of (payments.payment.captured or catalog.stock.sold). */
  @Property({ type: 'uuid', fieldName: 'payment_id', nullable: true })
  paymentId: string | null = null;

  /** Set once, with the orders.refund.requested it emits: a capture is given back at most once. */
  @Property({ type: 'boolean', fieldName: 'refund_requested' })
  refundRequested = false;

  @Property({ type: 'text', fieldName: 'idempotency_key', nullable: true })
  idempotencyKey: string | null = null;

  /** Hash of the checkout input, so a reused idempotency key with other input is refused. */
  @Property({ type: 'text', fieldName: 'request_fingerprint', nullable: true })
  requestFingerprint: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime', fieldName: 'created_at' })
  createdAt: Date = new Date();

  /** A copy taken at checkout: later edits of the user's Address never reach it. */
  @Property({ type: 'json', fieldName: 'shipping_address', nullable: true })
  shippingAddress: StoredShippingAddress | null = null;

  /** Set with SHIPPED (shippedAt is that history entry's time); deliveredAt with DELIVERED. */
  @Property({ type: 'text', fieldName: 'carrier', nullable: true })
  carrier: string | null = null;

  @Property({ type: 'text', fieldName: 'tracking_number', nullable: true })
  trackingNumber: string | null = null;

  @Property({ type: 'datetime', fieldName: 'shipped_at', nullable: true })
  shippedAt: Date | null = null;

  @Property({ type: 'datetime', fieldName: 'delivered_at', nullable: true })
  deliveredAt: Date | null = null;
}
