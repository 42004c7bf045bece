import { Field, ID, InputType, Int } from 'type-graphql';
import { ProductImageInput } from './product-image.type';

@InputType()
export class ProductFilter {
  @Field(() => String, { nullable: true, description: 'Words matched against name and description.' })
  search?: string | null;

  @Field(() => ID, { nullable: true })
  categoryId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only products with stock > 0.' })
  inStock?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Decimal strings, inclusive.' })
  minPrice?: string | null;

  @Field(() => String, { nullable: true })
  maxPrice?: string | null;
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

  @Field(() => [ProductImageInput], { nullable: true, description: 'In display order.' })
  images?: ProductImageInput[] | null;
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

  @Field(() => [ProductImageInput], { nullable: true, description: 'Replaces every image; omitted leaves them unchanged.' })
  images?: ProductImageInput[] | null;
}
