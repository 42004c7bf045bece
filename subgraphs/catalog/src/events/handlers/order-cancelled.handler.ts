import type { EventHandler } from '@storegraph/common';
import { ReservationService } from '../../services/reservation.service';

/** Releases a hold, restocks a sale, or leaves a tombstone when the cancel overtook `placed`. */
export const orderCancelled: EventHandler<'orders.order.cancelled'> = async (tx, { data }) => {
  await new ReservationService(tx).cancel(data.orderId);
};
