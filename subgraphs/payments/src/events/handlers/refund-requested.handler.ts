import type { EventHandler } from '@storegraph/common';
import type { RefundService } from '../../services/refund.service';

/** orders.refund.requested -> refund the order's capture, if it has one not yet refunded. */
export const refundRequestedHandler =
  (refund: RefundService): EventHandler<'orders.refund.requested'> =>
  async (tx, event) => {
    await refund.refund(tx, event.data);
  };
