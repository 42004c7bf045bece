import { Field, ObjectType } from 'type-graphql';
import { CartItem } from '../entities';

/** A user's cart as read now; `subtotal` is priced lazily by CartResolver. */
@ObjectType()
export class Cart {
  userId!: string;

  @Field(() => [CartItem])
  items!: CartItem[];
}
