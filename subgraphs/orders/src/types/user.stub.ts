import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The users subgraph's User; orders contributes `User.orders` (UserOrdersResolver). */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class UserStub {
  @Field(() => ID)
  id!: string;
}

export const userStub = (id: string): UserStub => Object.assign(new UserStub(), { id });
