import type { EventHandler } from '@storegraph/common';
import type { OrderSagaService } from '../../services/order-saga.service';

/** Money was taken: recorded, and given back if the order already ended without a sale. */
export const paymentCapturedHandler =
  (saga: OrderSagaService): EventHandler<'payments.payment.captured'> =>
  (tx, event) =>
    saga.paymentCaptured(tx, event.data.orderId, event.data.paymentId);
