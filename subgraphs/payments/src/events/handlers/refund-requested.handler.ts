import type { EventHandler } from '@storegraph/common';
import type { RefundService } from '../../services/refund.service';

/** orders.refund.requested -> refund the order's capture once (now, or once its outcome is known), if it has one. */
export const refundRequestedHandler =
  (refund: RefundService): EventHandler<'orders.refund.requested'> =>
  async (tx, event) => {
    await refund.refund(tx, event.data);
  };
