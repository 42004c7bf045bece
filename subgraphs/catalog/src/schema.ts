import { buildFederatedSchema } from '@storegraph/common';
import type { GraphQLSchema } from 'graphql';
import { CategoryResolver } from './resolvers/category.resolver';
import { productReference } from './resolvers/product.reference';
import { ProductResolver } from './resolvers/product.resolver';
import { ProductReviewsResolver, ReviewResolver } from './resolvers/review.resolver';
import { StockMovementResolver } from './resolvers/stock-movement.resolver';
import { userReference } from './resolvers/user.reference';
import { WishlistResolver } from './resolvers/wishlist.resolver';
import { UserStub } from './types/user.stub';

/** Needs no database: it is also used to print the committed SDL. */
export function buildSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [ProductResolver, ProductReviewsResolver, ReviewResolver, CategoryResolver, WishlistResolver, StockMovementResolver],
    // Nothing in catalog returns a User: the stub is reached only by its key, for User.wishlist.
    orphanedTypes: [UserStub],
    referenceResolvers: { Product: productReference, User: userReference },
  });
}
