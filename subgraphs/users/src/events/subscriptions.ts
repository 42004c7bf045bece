import { on, type Subscription } from '@storegraph/common';
import { auditRecorded } from './handlers/audit-recorded.handler';
import {
  orderCancelledHandler,
  orderConfirmedHandler,
  orderFailedHandler,
  orderShippedHandler,
} from './handlers/order-email.handlers';

/**
 * Every event users consumes (docs/saga.md, "Events"): the order news it emails the
 * shopper, and the audit entries other subgraphs record with their ADMIN changes. Users
 * takes no part in the saga. A subgraph that starts recording (payments) adds its
 * `<owner>.audit.recorded` contract and a line here.
 */
export function userSubscriptions(): Subscription[] {
  return [
    on('orders.order.confirmed', orderConfirmedHandler),
    on('orders.order.failed', orderFailedHandler),
    on('orders.order.cancelled', orderCancelledHandler),
    on('orders.order.shipped', orderShippedHandler),
    on('catalog.audit.recorded', auditRecorded('catalog')),
    on('orders.audit.recorded', auditRecorded('orders')),
  ];
}
