import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The address an order ships to, copied at checkout (later edits of the Address do not change it).' })
export class ShippingAddress {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  line1!: string;

  @Field(() => String, { nullable: true })
  line2!: string | null;

  @Field(() => String)
  city!: string;

  @Field(() => String, { nullable: true })
  region!: string | null;

  @Field(() => String)
  postalCode!: string;

  @Field(() => String)
  country!: string;

  @Field(() => String, { nullable: true })
  phone!: string | null;
}
