import type { EventHandler } from '@storegraph/common';
import type { OrderSagaService } from '../../services/order-saga.service';

/** Catalog holds every line: PENDING -> RESERVED, and payments is asked to capture. */
export const stockReservedHandler =
  (saga: OrderSagaService): EventHandler<'catalog.stock.reserved'> =>
  (tx, event) =>
    saga.stockReserved(tx, event.data.orderId);
