import { PageInfo } from '@storegraph/common';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

/** One row of `reviews`; `product` is resolved by ReviewResolver through the product loader. */
@ObjectType()
export class Review {
  @Field(() => ID)
  id!: string;

  productId!: string;

  /** Never exposed: the User stays private, only the name is public. */
  userId!: string;

  @Field(() => String, { description: "The reviewer's display name (public); the User itself stays private." })
  authorName!: string;

  @Field(() => Int, { description: '1..5' })
  rating!: number;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  body!: string;

  @Field(() => Boolean, { description: 'The reviewer bought the product in an order that was paid.' })
  verifiedPurchase!: boolean;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType()
export class ReviewEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Review)
  node!: Review;
}

@ObjectType()
export class ReviewConnection {
  @Field(() => [ReviewEdge])
  edges!: ReviewEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@InputType()
export class ReviewInput {
  @Field(() => Int, { description: '1..5' })
  rating!: number;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  body!: string;
}
