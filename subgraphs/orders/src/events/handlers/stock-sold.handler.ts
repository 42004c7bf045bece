import type { EventHandler } from '@storegraph/common';
import type { OrderSagaService } from '../../services/order-saga.service';

/** The hold became a sale after a capture: RESERVED -> CONFIRMED (or a refund, if cancelled meanwhile). */
export const stockSoldHandler =
  (saga: OrderSagaService): EventHandler<'catalog.stock.sold'> =>
  (tx, event) =>
    saga.stockSold(tx, event.data.orderId, event.data.paymentId);
