import { Field, ObjectType } from 'type-graphql';

@ObjectType()
export class Shipment {
  @Field(() => String)
  carrier!: string;

  @Field(() => String)
  trackingNumber!: string;

  @Field(() => Date)
  shippedAt!: Date;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;
}
