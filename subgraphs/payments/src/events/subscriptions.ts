import { on, type Subscription } from '@storegraph/common';
import type { CaptureService } from '../services/capture.service';
import type { RefundService } from '../services/refund.service';
import { orderReservedHandler } from './handlers/order-reserved.handler';
import { refundRequestedHandler } from './handlers/refund-requested.handler';

export interface SagaServices {
  capture: CaptureService;
  refund: RefundService;
}

/**
 * Everything payments consumes, in one place: the saga's table in docs/saga.md lists
 * the same two rows. Payments emits payments.payment.{captured,failed,refunded}.
 */
export function subscriptions(services: SagaServices): Subscription[] {
  return [
    on('orders.order.reserved', orderReservedHandler(services.capture), services.capture.step),
    on('orders.refund.requested', refundRequestedHandler(services.refund), services.refund.step),
  ];
}
