import { Money } from '@storegraph/common';
import { Field, Int, ObjectType } from 'type-graphql';
import { DiscountKind } from './discount-kind.enum';

/** A coupon as an ADMIN sees it; built from a CouponTerms by couponView. */
@ObjectType()
export class Coupon {
  @Field(() => String)
  code!: string;

  @Field(() => DiscountKind)
  kind!: DiscountKind;

  @Field(() => String)
  value!: string;

  @Field(() => Money, { nullable: true, description: 'The cart subtotal it needs, if any.' })
  minSubtotal!: Money | null;

  @Field(() => Date, { nullable: true })
  startsAt!: Date | null;

  @Field(() => Date, { nullable: true })
  endsAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Orders that may use it in all; null: no limit.' })
  maxUses!: number | null;

  @Field(() => Int, { nullable: true, description: 'Orders per user; null: no limit.' })
  maxUsesPerUser!: number | null;

  @Field(() => Int, { description: 'Orders that hold it now (placed and not FAILED or CANCELLED).' })
  uses!: number;

  @Field(() => Boolean)
  active!: boolean;
}
