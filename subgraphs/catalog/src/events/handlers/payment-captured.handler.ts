import type { EventHandler } from '@storegraph/common';
import { ReservationService } from '../../services/reservation.service';

/** Sells a live hold; a capture after the hold ended sells nothing (orders refunds it). */
export const paymentCaptured: EventHandler<'payments.payment.captured'> = async (tx, { data }) => {
  await new ReservationService(tx).sell(data.orderId, data.paymentId);
};
