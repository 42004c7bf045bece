import { Field, InputType, Int } from 'type-graphql';
import { DiscountKind } from './discount-kind.enum';

@InputType()
export class CreateCouponInput {
  @Field(() => String, { description: 'Case-insensitive, unique: CONFLICT when taken.' })
  code!: string;

  @Field(() => DiscountKind)
  kind!: DiscountKind;

  @Field(() => String)
  value!: string;

  @Field(() => String, { nullable: true })
  minSubtotal?: string | null;

  @Field(() => Date, { nullable: true })
  startsAt?: Date | null;

  @Field(() => Date, { nullable: true })
  endsAt?: Date | null;

  @Field(() => Int, { nullable: true })
  maxUses?: number | null;

  @Field(() => Int, { nullable: true })
  maxUsesPerUser?: number | null;
}
