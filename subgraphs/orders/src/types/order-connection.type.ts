import { PageInfo } from '@storegraph/common';
import { Field, Int, ObjectType } from 'type-graphql';
import { Order } from '../entities';

@ObjectType()
export class OrderEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Order)
  node!: Order;
}

@ObjectType()
export class OrderConnection {
  @Field(() => [OrderEdge])
  edges!: OrderEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
