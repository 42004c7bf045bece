import { Field, InputType, ObjectType } from 'type-graphql';

/** One picture of a product, as stored in the product's `images` jsonb array. */
@ObjectType()
export class ProductImage {
  @Field(() => String)
  url!: string;

  @Field(() => String)
  alt!: string;
}

@InputType()
export class ProductImageInput {
  @Field(() => String, { description: 'http or https.' })
  url!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to "".' })
  alt?: string | null;
}
