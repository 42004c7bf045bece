import { Field, ID, InputType } from 'type-graphql';
import { OrderStatus } from '../entities';

@InputType()
export class OrderFilter {
  @Field(() => OrderStatus, { nullable: true })
  status?: OrderStatus | null;

  @Field(() => ID, { nullable: true })
  userId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive bounds on createdAt.' })
  placedAfter?: Date | null;

  @Field(() => Date, { nullable: true })
  placedBefore?: Date | null;
}
