import type { EventHandler } from '@storegraph/common';
import { ReservationService } from '../../services/reservation.service';

/** Reserves all of the order's lines or none; the service emits reserved or rejected. */
export const orderPlaced =
  (reservationTtlSeconds: number): EventHandler<'orders.order.placed'> =>
  async (tx, { data }) => {
    await new ReservationService(tx).reserve(data.orderId, data.userId, data.items, reservationTtlSeconds);
  };
