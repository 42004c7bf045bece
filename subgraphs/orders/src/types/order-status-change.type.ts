import { Field, ObjectType } from 'type-graphql';
import { OrderStatus } from '../entities';

@ObjectType()
export class OrderStatusChange {
  @Field(() => OrderStatus)
  status!: OrderStatus;

  @Field(() => Date)
  at!: Date;
}
