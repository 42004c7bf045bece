import type { EntityManager } from '@mikro-orm/postgresql';
import { envelopesOf, executeEmitting, outboxInsert, sql, uuidv7, type Payload } from '@storegraph/common';
import type { PaymentProvider } from './payment-provider';

export type CaptureOutcome = 'captured' | 'failed' | 'already-attempted';

/**
 * Captures an order's amount when orders reports it RESERVED. Runs inside the event
 * handler's transaction, so the payment row, its status and the outgoing event commit
 * together with the inbox record, or not at all.
 *
 * At most one capture per order, whatever the retries:
 * - the payment row is inserted first, and `unique (order_id)` lets only one attempt per
 *   order exist: a second reserved event for the order (a duplicate, or a retry upstream)
 *   inserts nothing, or waits for the first one's commit and then inserts nothing;
 * - the provider is called with the order id as idempotency key, so a crash after the
 *   charge (the transaction rolls back, the event is redelivered, the row is inserted
 *   again) gets the first charge's result back instead of a second charge.
 *
 * The charge runs inside the transaction on purpose: committing PENDING first and
 * charging afterwards would need a recovery job for rows stuck in PENDING. The price is a
 * pooled connection held while the provider answers (PAYMENT_TEST_DELAY_MS for
 * tok_delayed, the adapter's timeout for a real provider): the pool is sized as
 * PAYMENTS_CONSUMER_CONCURRENCY plus headroom (config.ts) so that never starves requests.
 */
export class CaptureService {
  constructor(private readonly provider: PaymentProvider) {}

  async capture(tx: EntityManager, order: Payload<'orders.order.reserved'>): Promise<CaptureOutcome> {
    const inserted = await tx.execute<Array<{ id: string }>>(
      `insert into payments (id, order_id, user_id, amount_minor, currency, status)
       values (?, ?, ?, ?, ?, 'PENDING')
       on conflict (order_id) do nothing
       returning id`,
      [uuidv7(), order.orderId, order.userId, order.amountMinor, order.currency],
    );
    if (inserted.length === 0) return 'already-attempted';
    const paymentId = inserted[0].id;

    const result = await this.provider.charge({
      idempotencyKey: order.orderId,
      token: order.paymentToken,
      amountMinor: order.amountMinor,
      currency: order.currency,
    });

    // The outcome and its event in one statement (the row was inserted above, in this transaction).
    const announcement =
      result.status === 'approved'
        ? outboxInsert('payments.payment.captured', sql`settled`, { orderId: order.orderId, paymentId, amountMinor: order.amountMinor })
        : outboxInsert('payments.payment.failed', sql`settled`, { orderId: order.orderId, paymentId, reason: result.reason });
    await executeEmitting(
      tx,
      sql`with settled as (
            update payments
               set status = ${result.status === 'approved' ? 'CAPTURED' : 'FAILED'},
                   provider_ref = ${result.status === 'approved' ? result.reference : null},
                   failure_reason = ${result.status === 'approved' ? null : result.reason},
                   updated_at = now()
             where id = ${paymentId}::uuid and status = 'PENDING' returning id),
          announced as (${announcement})
          select ${envelopesOf(sql`announced`)} as events`,
    );
    return result.status === 'approved' ? 'captured' : 'failed';
  }
}
