import { Field, InputType } from 'type-graphql';

@InputType()
export class ShipOrderInput {
  @Field(() => String, { description: 'Non-blank, at most 100 characters after trimming.' })
  carrier!: string;

  @Field(() => String, { description: 'Non-blank, at most 100 characters after trimming.' })
  trackingNumber!: string;
}
