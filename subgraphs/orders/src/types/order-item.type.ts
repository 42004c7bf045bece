import { Money } from '@storegraph/common';
import { Field, Int, ObjectType } from 'type-graphql';
import { ProductStub } from './product.stub';

@ObjectType('OrderItem')
export class OrderItemView {
  @Field(() => ProductStub)
  product!: ProductStub;

  @Field(() => Int)
  quantity!: number;

  @Field(() => Money, { description: 'Catalog price at checkout.' })
  unitPrice!: Money;
}
