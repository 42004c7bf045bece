import { on, type Subscription } from '@storegraph/common';
import {
  orderCancelledHandler,
  orderConfirmedHandler,
  orderFailedHandler,
  orderShippedHandler,
} from './handlers/order-email.handlers';

/** Every event users reacts to: the order news it emails the shopper (docs/saga.md, "Events"). */
export function userSubscriptions(): Subscription[] {
  return [
    on('orders.order.confirmed', orderConfirmedHandler),
    on('orders.order.failed', orderFailedHandler),
    on('orders.order.cancelled', orderCancelledHandler),
    on('orders.order.shipped', orderShippedHandler),
  ];
}
