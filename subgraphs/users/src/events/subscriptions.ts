import { on, type Subscription } from '@storegraph/common';
import { auditRecorded } from './handlers/audit-recorded.handler';
import { orderEmailHandler, orderEmailStep } from './handlers/order-email.handlers';

/**
 * Every event users consumes (docs/saga.md, "Events"): the order news it emails the
 * shopper, and the audit entries other subgraphs record with their ADMIN changes. Users
 * takes no part in the saga. A subgraph that starts recording (payments) adds its
 * `<owner>.audit.recorded` contract and a line here.
 */
export function userSubscriptions(): Subscription[] {
  return [
    on('orders.order.confirmed', orderEmailHandler(), orderEmailStep()),
    on('orders.order.failed', orderEmailHandler(), orderEmailStep()),
    on('orders.order.cancelled', orderEmailHandler(), orderEmailStep()),
    on('orders.order.shipped', orderEmailHandler(), orderEmailStep()),
    on('catalog.audit.recorded', auditRecorded('catalog')),
    on('orders.audit.recorded', auditRecorded('orders')),
  ];
}
