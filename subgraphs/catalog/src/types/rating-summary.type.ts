import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class RatingSummary {
  @Field(() => Float, { nullable: true, description: '1.0..5.0; null without reviews.' })
  average!: number | null;

  @Field(() => Int)
  count!: number;
}
