import { on, type Subscription } from '@storegraph/common';
import type { OrderSagaService } from '../services/order-saga.service';
import { paymentCapturedHandler } from './handlers/payment-captured.handler';
import { paymentFailedHandler } from './handlers/payment-failed.handler';
import { reservationExpiredHandler } from './handlers/reservation-expired.handler';
import { stockRejectedHandler } from './handlers/stock-rejected.handler';
import { stockReservedHandler } from './handlers/stock-reserved.handler';
import { stockSoldHandler } from './handlers/stock-sold.handler';

/** Every event orders reacts to, and its handler: the one list (docs/saga.md, "Events"). */
export function orderSubscriptions(saga: OrderSagaService): Subscription[] {
  return [
    on('catalog.stock.reserved', stockReservedHandler(saga)),
    on('catalog.stock.rejected', stockRejectedHandler(saga)),
    on('catalog.stock.sold', stockSoldHandler(saga)),
    on('catalog.reservation.expired', reservationExpiredHandler(saga)),
    on('payments.payment.captured', paymentCapturedHandler(saga)),
    on('payments.payment.failed', paymentFailedHandler(saga)),
  ];
}
