import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The catalog's Product, referenced by id only: the gateway fetches the rest from catalog. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Product')
export class ProductStub {
  @Field(() => ID)
  id!: string;
}

export const productStub = (id: string): ProductStub => Object.assign(new ProductStub(), { id });
