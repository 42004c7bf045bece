import { detachedEntity } from '@storegraph/common';
import { Order, type StatusHistoryEntry, type StoredShippingAddress } from '../entities/order.entity';
import type { OrderFailureReason, OrderStatus } from '../entities/order-status.enum';

/** Every column of `orders`, for the saga's hand-written reads. */
export const ORDER_COLUMNS =
  'id, user_id, status, failure_reason, total_minor, discount_minor, coupon_id, coupon_code, currency, status_history, ' +
  'payment_token, payment_id, refund_requested, idempotency_key, request_fingerprint, created_at, shipping_address, carrier, ' +
  'tracking_number, shipped_at, delivered_at';

export interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  failure_reason: OrderFailureReason | null;
  total_minor: number;
  discount_minor: number;
  coupon_id: string | null;
  coupon_code: string | null;
  currency: string;
  status_history: StatusHistoryEntry[];
  payment_token: string;
  payment_id: string | null;
  refund_requested: boolean;
  idempotency_key: string | null;
  request_fingerprint: string | null;
  created_at: Date;
  shipping_address: StoredShippingAddress | null;
  carrier: string | null;
  tracking_number: string | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
}

/** A detached Order (unknown to any entity manager, so nothing flushes it behind our back; built without the ORM's setters). */
export function orderFromRow(row: OrderRow): Order {
  return detachedEntity(Order, {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    failureReason: row.failure_reason,
    totalMinor: row.total_minor,
    discountMinor: row.discount_minor,
    couponId: row.coupon_id,
    couponCode: row.coupon_code,
    currency: row.currency,
    statusHistory: row.status_history,
    paymentToken: row.payment_token,
    paymentId: row.payment_id,
    refundRequested: row.refund_requested,
    idempotencyKey: row.idempotency_key,
    requestFingerprint: row.request_fingerprint,
    createdAt: new Date(row.created_at),
    shippingAddress: row.shipping_address,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    shippedAt: row.shipped_at === null ? null : new Date(row.shipped_at),
    deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at),
  });
}
