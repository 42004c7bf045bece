import type { EventHandler } from '@storegraph/common';
import type { OrderSagaService } from '../../services/order-saga.service';

/** The hold ran out before a sale: FAILED(RESERVATION_EXPIRED), refunded if a capture is known. */
export const reservationExpiredHandler =
  (saga: OrderSagaService): EventHandler<'catalog.reservation.expired'> =>
  (tx, event) =>
    saga.reservationExpired(tx, event.data.orderId);
