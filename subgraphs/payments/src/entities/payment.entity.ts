import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { uuidv7 } from '@storegraph/common';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { PaymentStatus } from './payment-status.enum';

/**
 * One attempt to pay an order. Only the provider's reference is kept, never card data.
 * `order` and `amount` are resolved by PaymentResolver (stub and currency).
 */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'Entity, key "id". Owned by payments.' })
@Entity({ tableName: 'payments' })
@Index({ name: 'payments_order_id_idx', properties: ['orderId'] })
export class Payment {
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

  @Property({ type: 'text', fieldName: 'provider_ref', nullable: true })
  providerRef: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime', fieldName: 'created_at' })
  createdAt: Date = new Date();
}
