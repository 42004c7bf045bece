import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The users subgraph's User; catalog contributes `User.wishlist` (WishlistResolver). */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class UserStub {
  @Field(() => ID)
  id!: string;
}
