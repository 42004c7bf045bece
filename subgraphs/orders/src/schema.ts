import { buildFederatedSchema } from '@storegraph/common';
import type { GraphQLSchema } from 'graphql';
import type { PubSub } from 'type-graphql';
import { AdminOrdersResolver } from './resolvers/admin-orders.resolver';
import { CartItemResolver, CartResolver } from './resolvers/cart.resolver';
import { CouponResolver } from './resolvers/coupon.resolver';
import { orderReference, userReference } from './resolvers/order.reference';
import { OrderResolver } from './resolvers/order.resolver';
import { OrderStatusResolver } from './resolvers/order-status.resolver';
import { UserOrdersResolver } from './resolvers/user-orders.resolver';
import { ProductStub } from './types/product.stub';

/**
 * type-graphql demands a PubSub for any subscription; ours brings its own `subscribe`
 * (the NATS-fed OrderStatusFeed), so a topic-based subscription here is a bug.
 */
const noTopics: PubSub = {
  publish: () => {
    throw new Error('orders subscriptions are fed by OrderStatusFeed, not by PubSub topics');
  },
  subscribe: () => {
    throw new Error('orders subscriptions are fed by OrderStatusFeed, not by PubSub topics');
  },
};

/** Needs no database: `print-schemas` calls it to write schema.graphql. */
export function buildSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [CartResolver, CartItemResolver, CouponResolver, OrderResolver, UserOrdersResolver, OrderStatusResolver, AdminOrdersResolver],
    orphanedTypes: [ProductStub],
    referenceResolvers: { Order: orderReference, User: userReference },
    pubSub: noTopics,
  });
}
