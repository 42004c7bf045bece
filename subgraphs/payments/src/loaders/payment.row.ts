import { detachedEntity } from '@storegraph/common';
import { Payment } from '../entities';
import type { PaymentStatus } from '../entities/payment-status.enum';

/** The columns the public reads map (the saga's bookkeeping columns are not read). */
export const PAYMENT_COLUMNS = 'id, order_id, user_id, amount_minor, currency, status, failure_reason, provider_ref, refund_ref, created_at, updated_at';

export interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  amount_minor: number;
  currency: string;
  status: PaymentStatus;
  failure_reason: string | null;
  provider_ref: string | null;
  refund_ref: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/**
 * A payment built detached (detachedEntity), without the entity manager's hydration and
 * identity map: the reads that use it only show it (every change goes through the saga's
 * conditional SQL).
 */
export function paymentFromRow(row: PaymentRow): Payment {
  return detachedEntity(Payment, {
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    amountMinor: row.amount_minor,
    currency: row.currency,
    status: row.status,
    failureReason: row.failure_reason,
    providerRef: row.provider_ref,
    refundRef: row.refund_ref,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  });
}
