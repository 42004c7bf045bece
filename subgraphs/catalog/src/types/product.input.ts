import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class ProductFilter {
  @Field(() => String, { nullable: true, description: 'Words matched against name and description.' })
  search?: string | null;

  @Field(() => ID, { nullable: true })
  categoryId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only products with stock > 0.' })
  inStock?: boolean | null;
}

@InputType()
export class CreateProductInput {
  @Field(() => String)
  sku!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { description: 'Decimal string, >= 0, at most two decimals.' })
  price!: string;

  @Field(() => ID, { nullable: true })
  categoryId?: string | null;

  @Field(() => Int, { description: 'Units on hand, >= 0.' })
  stock!: number;
}

@InputType()
export class UpdateProductInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  price?: string | null;

  @Field(() => ID, { nullable: true, description: 'null removes the category; omitted leaves it unchanged.' })
  categoryId?: string | null;
}
