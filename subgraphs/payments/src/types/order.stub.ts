import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The orders subgraph's Order; payments contributes `Order.payment` (OrderPaymentResolver). */
@Directive('@key(fields: "id")')
@ObjectType('Order')
export class OrderStub {
  @Field(() => ID)
  id!: string;
}

export const orderStub = (id: string): OrderStub => Object.assign(new OrderStub(), { id });
