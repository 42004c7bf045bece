import { on, type Subscription } from '@storegraph/common';
import type { CatalogConfig } from '../config';
import { reservationSteps } from '../services/reservation.steps';
import { orderCancelled } from './handlers/order-cancelled.handler';
import { orderFailed } from './handlers/order-failed.handler';
import { orderPlaced } from './handlers/order-placed.handler';
import { paymentCaptured } from './handlers/payment-captured.handler';

/**
 * Every event catalog reacts to, and its handler: the one place to read catalog's part of
 * the saga. Holding and selling also have a one-statement step, tried before the handler.
 */
export function catalogSubscriptions(config: Pick<CatalogConfig, 'reservationTtlSeconds'>): Subscription[] {
  return [
    on('orders.order.placed', orderPlaced(config.reservationTtlSeconds), reservationSteps.reserve(config.reservationTtlSeconds)),
    on('orders.order.failed', orderFailed),
    on('orders.order.cancelled', orderCancelled),
    on('payments.payment.captured', paymentCaptured, reservationSteps.sell),
  ];
}
