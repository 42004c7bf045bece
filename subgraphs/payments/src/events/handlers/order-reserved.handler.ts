import type { EventHandler } from '@storegraph/common';
import type { CaptureService } from '../../services/capture.service';

/** orders.order.reserved -> capture the order's amount (once per order, see CaptureService). */
export const orderReservedHandler =
  (capture: CaptureService): EventHandler<'orders.order.reserved'> =>
  async (tx, event) => {
    await capture.capture(tx, event.data);
  };
