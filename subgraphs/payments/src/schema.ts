import { buildFederatedSchema } from '@storegraph/common';
import type { GraphQLSchema } from 'graphql';
import { Payment } from './entities';
import { OrderPaymentResolver } from './resolvers/order-payment.resolver';
import { orderReference, paymentReference } from './resolvers/payment.reference';
import { PaymentResolver } from './resolvers/payment.resolver';
import { OrderStub } from './types/order.stub';

/**
 * Needs no database: `print-schemas` calls it to write schema.graphql. Payments has no
 * Query fields yet, so nothing is reachable from the root: the entities are listed as orphans.
 */
export function buildSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [PaymentResolver, OrderPaymentResolver],
    orphanedTypes: [Payment, OrderStub],
    referenceResolvers: { Payment: paymentReference, Order: orderReference },
  });
}
