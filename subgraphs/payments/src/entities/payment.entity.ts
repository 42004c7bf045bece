import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { uuidv7 } from '@storegraph/common';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { PaymentStatus } from './payment-status.enum';

/**
 * The one attempt to pay an order (order_id is unique: a second capture cannot exist).
 * Only the provider's references are kept, never card data. The saga writes it with
 * conditional SQL (capture.service.ts, refund.service.ts): status moves only
 * PENDING -> CAPTURED | FAILED and CAPTURED -> REFUNDED. PENDING also covers a capture
 * whose provider answer was lost: it stays PENDING (no public state is added for it)
 * until the provider answers; an outstanding refund shows CAPTURED until it is answered.
 * The bookkeeping of those calls (attempts, next_attempt_at, last_error,
 * refund_requested_at) is the saga's own and is not mapped here.
 * `order` and `amount` are resolved by PaymentResolver (stub and currency).
 */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'Entity, key "id". Owned by payments.' })
@Entity({ tableName: 'payments' })
@Unique({ name: 'payments_order_id_key', properties: ['orderId'] })
export class Payment {
  /** Have defaults: em.create may leave them out. */
  [OptionalProps]?: 'id' | 'status' | 'failureReason' | 'providerRef' | 'refundRef' | 'createdAt' | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'uuid', fieldName: 'order_id' })
  orderId!: string;

  /** The order's owner, copied here so visibility needs no call to orders. */
  @Property({ type: 'uuid', fieldName: 'user_id' })
  userId!: string;

  @Property({ type: 'integer', fieldName: 'amount_minor' })
  amountMinor!: number;

  @Property({ type: 'text', fieldName: 'currency' })
  currency!: string;

  @Field(() => PaymentStatus)
  @Property({ type: 'text', fieldName: 'status' })
  status: PaymentStatus = PaymentStatus.PENDING;

  @Field(() => String, { nullable: true, description: "Provider's decline reason when FAILED." })
  @Property({ type: 'text', fieldName: 'failure_reason', nullable: true })
  failureReason: string | null = null;

  /** The provider's charge reference, once CAPTURED. */
  @Property({ type: 'text', fieldName: 'provider_ref', nullable: true })
  providerRef: string | null = null;

  /** The provider's refund reference, once REFUNDED. */
  @Property({ type: 'text', fieldName: 'refund_ref', nullable: true })
  refundRef: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime', fieldName: 'created_at' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', fieldName: 'updated_at', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
