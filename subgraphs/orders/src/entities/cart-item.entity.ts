import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/** One line of a user's cart; `product` is resolved by CartResolver as a catalog stub. */
@ObjectType()
@Entity({ tableName: 'cart_items' })
export class CartItem {
  @PrimaryKey({ type: 'uuid', fieldName: 'user_id' })
  userId!: string;

  @PrimaryKey({ type: 'uuid', fieldName: 'product_id' })
  productId!: string;

  @Field(() => Int)
  @Property({ type: 'integer', fieldName: 'quantity' })
  quantity!: number;

  @Property({ type: 'datetime', fieldName: 'added_at' })
  addedAt: Date = new Date();
}
