import { Field, InputType } from 'type-graphql';

/** The contract's AddressInput: users' address book takes it, and orders' checkout (inline address). */
@InputType()
export class AddressInput {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  line1!: string;

  @Field(() => String, { nullable: true })
  line2?: string | null;

  @Field(() => String)
  city!: string;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => String)
  postalCode!: string;

  @Field(() => String)
  country!: string;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: this becomes the default address (the previous default stops being one).',
  })
  isDefault?: boolean | null;
}
