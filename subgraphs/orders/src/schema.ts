import { buildFederatedSchema } from '@storegraph/common';
import type { GraphQLSchema } from 'graphql';
import { CartItemResolver, CartResolver } from './resolvers/cart.resolver';
import { orderReference, userReference } from './resolvers/order.reference';
import { OrderResolver } from './resolvers/order.resolver';
import { UserOrdersResolver } from './resolvers/user-orders.resolver';
import { ProductStub } from './types/product.stub';

/** Needs no database: `print-schemas` calls it to write schema.graphql. */
export function buildSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [CartResolver, CartItemResolver, OrderResolver, UserOrdersResolver],
    orphanedTypes: [ProductStub],
    referenceResolvers: { Order: orderReference, User: userReference },
  });
}
