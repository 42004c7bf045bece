import { buildFederatedSchema } from '@storegraph/common';
import type { GraphQLSchema } from 'graphql';
import { CategoryResolver } from './resolvers/category.resolver';
import { productReference } from './resolvers/product.reference';
import { ProductResolver } from './resolvers/product.resolver';

/** Needs no database: it is also used to print the committed SDL. */
export function buildSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [ProductResolver, CategoryResolver],
    referenceResolvers: { Product: productReference },
  });
}
