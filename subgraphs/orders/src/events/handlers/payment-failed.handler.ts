import type { EventHandler } from '@storegraph/common';
import type { OrderSagaService } from '../../services/order-saga.service';

/** The charge was declined: RESERVED -> FAILED(PAYMENT_DECLINED); catalog releases the hold. */
export const paymentFailedHandler =
  (saga: OrderSagaService): EventHandler<'payments.payment.failed'> =>
  (tx, event) =>
    saga.paymentFailed(tx, event.data.orderId);
