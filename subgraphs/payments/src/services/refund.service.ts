import type { EntityManager } from '@mikro-orm/postgresql';
import { emit, type Payload } from '@storegraph/common';
import type { PaymentProvider } from './payment-provider';

export type RefundOutcome = 'refunded' | 'not-refundable';

/**
 * Refunds an order's capture when orders asks for it (a capture that came too late, or a
 * cancelled order). Runs inside the event handler's transaction.
 *
 * Once per order: the conditional update CAPTURED -> REFUNDED decides it. A second request
 * (or a concurrent one, which waits on the row lock) matches nothing, as does a request
 * for a payment that was never captured (PENDING, FAILED, none): both do nothing. The
 * provider's idempotency key `refund:<orderId>` covers a crash after the provider call:
 * the rollback undoes the update, the redelivery refunds again and gets the first refund.
 */
export class RefundService {
  constructor(private readonly provider: PaymentProvider) {}

  async refund(tx: EntityManager, request: Payload<'orders.refund.requested'>): Promise<RefundOutcome> {
    const matched = await tx.execute<Array<{ id: string; provider_ref: string | null; amount_minor: number }>>(
      `update payments set status = 'REFUNDED', updated_at = now()
       where order_id = ? and status = 'CAPTURED'
       returning id, provider_ref, amount_minor`,
      [request.orderId],
    );
    if (matched.length === 0) return 'not-refundable';
    const payment = matched[0];
    // CAPTURED is only ever set together with provider_ref (capture.service.ts).
    if (!payment.provider_ref) throw new Error(`Payment ${payment.id} is CAPTURED without a provider reference`);

    const refund = await this.provider.refund({
      idempotencyKey: `refund:${request.orderId}`,
      reference: payment.provider_ref,
      amountMinor: payment.amount_minor,
    });
    await tx.execute('update payments set refund_ref = ? where id = ?', [refund.reference, payment.id]);
    await emit(tx, 'payments.payment.refunded', {
      orderId: request.orderId,
      paymentId: payment.id,
      amountMinor: payment.amount_minor,
    });
    return 'refunded';
  }
}
