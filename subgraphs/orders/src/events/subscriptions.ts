import { on, type Subscription } from '@storegraph/common';
import type { OrderSagaService } from '../services/order-saga.service';
import { orderSagaSteps } from '../services/order-saga.steps';
import { defaultAddressChangedHandler } from './handlers/default-address-changed.handler';
import { paymentCapturedHandler } from './handlers/payment-captured.handler';
import { paymentFailedHandler } from './handlers/payment-failed.handler';
import { reservationExpiredHandler } from './handlers/reservation-expired.handler';
import { stockRejectedHandler } from './handlers/stock-rejected.handler';
import { stockReservedHandler } from './handlers/stock-reserved.handler';
import { stockSoldHandler } from './handlers/stock-sold.handler';

/**
 * Every event orders reacts to, and its handler: the one list (docs/saga.md, "Events").
 * The happy path's events also have a one-statement step, tried before the handler.
 * Besides the saga: users' default shipping addresses, which checkout reads.
 */
export function orderSubscriptions(saga: OrderSagaService): Subscription[] {
  return [
    on('catalog.stock.reserved', stockReservedHandler(saga), orderSagaSteps.stockReserved),
    on('catalog.stock.rejected', stockRejectedHandler(saga)),
    on('catalog.stock.sold', stockSoldHandler(saga), orderSagaSteps.stockSold),
    on('catalog.reservation.expired', reservationExpiredHandler(saga)),
    on('payments.payment.captured', paymentCapturedHandler(saga), orderSagaSteps.paymentCaptured),
    on('payments.payment.failed', paymentFailedHandler(saga)),
    on('users.default-address.changed', defaultAddressChangedHandler),
  ];
}
