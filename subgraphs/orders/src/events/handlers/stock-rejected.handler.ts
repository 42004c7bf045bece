import type { EventHandler } from '@storegraph/common';
import type { OrderSagaService } from '../../services/order-saga.service';

/** Catalog could not hold every line: PENDING -> FAILED(OUT_OF_STOCK). */
export const stockRejectedHandler =
  (saga: OrderSagaService): EventHandler<'catalog.stock.rejected'> =>
  (tx, event) =>
    saga.stockRejected(tx, event.data.orderId);
