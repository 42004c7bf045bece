import { PageInfo, type Role as RoleName } from '@storegraph/common';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Role, User } from '../entities';

@InputType()
export class UserFilter {
  @Field(() => String, { nullable: true, description: 'Matched against email and name.' })
  search?: string | null;

  @Field(() => Role, { nullable: true })
  role?: RoleName | null;
}

@ObjectType()
export class UserEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => User)
  node!: User;
}

@ObjectType()
export class UserConnection {
  @Field(() => [UserEdge])
  edges!: UserEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
