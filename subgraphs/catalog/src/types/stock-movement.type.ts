import { PageInfo } from '@storegraph/common';
import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Every change of units on hand, for the inventory\'s history.' })
export class StockMovement {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  at!: Date;

  @Field(() => Int, { description: 'Positive: units in; negative: units out.' })
  delta!: number;

  @Field(() => Int, { description: 'Units on hand after the movement.' })
  onHand!: number;

  @Field(() => String, { description: 'RESTOCK, CORRECTION, SALE, RETURN, or the reason an ADMIN gave.' })
  reason!: string;

  @Field(() => ID, { nullable: true, description: 'The order behind a SALE or RETURN.' })
  orderId!: string | null;
}

@ObjectType()
export class StockMovementEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => StockMovement)
  node!: StockMovement;
}

@ObjectType()
export class StockMovementConnection {
  @Field(() => [StockMovementEdge])
  edges!: StockMovementEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
