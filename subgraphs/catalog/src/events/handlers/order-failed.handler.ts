import type { EventHandler } from '@storegraph/common';
import { ReservationService } from '../../services/reservation.service';

/** Whatever the reason, a failed order holds nothing any more. */
export const orderFailed: EventHandler<'orders.order.failed'> = async (tx, { data }) => {
  await new ReservationService(tx).release(data.orderId);
};
