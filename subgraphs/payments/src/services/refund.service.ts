import type { EntityManager } from '@mikro-orm/postgresql';
import {
  envelopesOf,
  executeEmitting,
  executePrepared,
  inboxInsert,
  outboxInsert,
  sql,
  type EventEnvelope,
  type Logger,
  type OneStatementStep,
  type Payload,
  type Sql,
} from '@storegraph/common';
import type { PaymentProvider, RefundResult } from './payment-provider';
import { ask, leaseEnd, ONCE, retryDelayMs, unanswered, type Answer, type RetrySchedule } from './provider-retry';

export type RefundOutcome = 'refunded' | 'unanswered' | 'awaiting-capture' | 'not-refundable';

/** The payment a refund request found, as the request statement returns it. */
export interface RefundTarget {
  id: string;
  order_id: string;
  status: 'PENDING' | 'CAPTURED';
  provider_ref: string | null;
  amount_minor: number;
}

/**
 * Refunds an order's capture when orders asks for it (a capture that came too late, or a
 * cancelled or failed order).
 *
 * Once per order, and never lost track of: the request is written onto the payment first
 * (refund_requested_at, only if not yet requested: a second or concurrent request matches
 * nothing) and committed; the provider is called with the key `refund:<orderId>`; the
 * answer moves CAPTURED -> REFUNDED with its event in one statement. A call that throws
 * (the refund may have happened) leaves the row CAPTURED with the refund outstanding and
 * a next_attempt_at: PaymentReconciliation asks again with the same key until the
 * provider answers. The status shows REFUNDED only once the provider said so.
 *
 * A request for a capture whose outcome is still unknown (PENDING) is remembered on the
 * row: if the capture turns out approved, its settlement makes the refund due
 * (capture.service.ts). A request for a payment that was declined, refunded, or never
 * attempted does nothing.
 *
 * Like captures: `step` holds no transaction while the provider answers; the handler
 * (`refund`) applies the same rule in the consumer's transaction, for the rare delivery
 * the step leaves to it; test/integration/provider-outcomes.test.ts runs both on the same cases.
 */
export class RefundService {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly schedule: RetrySchedule,
    private readonly logger: Logger,
  ) {}

  /** The usual path; null (a duplicate delivery) lets the consumer's handler path say so. */
  readonly step: OneStatementStep<'orders.refund.requested'> = async (ctx, event) => {
    const [claim] = await ctx.run<{ recorded: number; target: RefundTarget | null }>(
      sql`with recorded as (${inboxInsert(ctx, event, ONCE)}),
          requested as (${refundRequest(event.data.orderId, sql`recorded`, this.schedule)})
          select (select count(*) from recorded)::int as recorded, (select row_to_json(requested) from requested) as target`,
    );
    if (claim.recorded === 0) return null;
    if (claim.target?.status !== 'CAPTURED') return [];
    // If this statement fails, the refund stays outstanding under its lease: reconciliation takes it.
    const [done] = await ctx.run<{ events: EventEnvelope[] }>(this.outcome(claim.target, await this.ask(claim.target), 1));
    return done.events;
  };

  /** The same refund inside the consumer's transaction (the handler path). */
  async refund(tx: EntityManager, request: Payload<'orders.refund.requested'>): Promise<RefundOutcome> {
    const [target] = await executePrepared<RefundTarget>(tx, refundRequest(request.orderId, ONCE, this.schedule));
    if (!target) return 'not-refundable';
    if (target.status === 'PENDING') return 'awaiting-capture';
    const answer = await this.ask(target);
    await executeEmitting(tx, this.outcome(target, answer, 1));
    return answer.answered ? 'refunded' : 'unanswered';
  }

  /** Asks again for an outstanding refund (its `attempts`-th call, already claimed); settles it unless settled meanwhile. */
  async resume(em: EntityManager, target: RefundTarget, attempts: number): Promise<Answer<RefundResult>> {
    const answer = await this.ask(target);
    await executeEmitting(em, this.outcome(target, answer, attempts));
    return answer;
  }

  /** THE rule for what a refund call leads to, on every path: REFUNDED on an answer, outstanding without one. */
  private outcome(target: RefundTarget, answer: Answer<RefundResult>, attempts: number): Sql {
    if (answer.answered) return refundSettlement(target, answer.value);
    this.logger.warn('refund unanswered; kept outstanding, will ask the provider again', {
      orderId: target.order_id,
      attempts,
      retryInMs: retryDelayMs(this.schedule, attempts),
      error: answer.error,
    });
    return unanswered(target.id, 'CAPTURED', attempts, answer.error, this.schedule);
  }

  private ask(target: RefundTarget): Promise<Answer<RefundResult>> {
    return ask(async () => {
      // CAPTURED is only ever set together with provider_ref (capture.service.ts).
      if (!target.provider_ref) throw new Error(`Payment ${target.id} is CAPTURED without a provider reference`);
      return this.provider.refund({
        idempotencyKey: `refund:${target.order_id}`,
        reference: target.provider_ref,
        amountMinor: target.amount_minor,
      });
    });
  }
}

/**
 * The request onto the order's payment, once for each row of `gate`, if none was made
 * yet: a CAPTURED payment is leased for the call about to be made; a PENDING one (outcome
 * unknown) only remembers it. Returns the payment, or nothing when there is nothing to refund.
 */
function refundRequest(orderId: string, gate: Sql, schedule: RetrySchedule): Sql {
  return sql`update payments p
       set refund_requested_at = now(),
           next_attempt_at = case when p.status = 'CAPTURED' then ${leaseEnd(schedule)} else p.next_attempt_at end,
           attempts = case when p.status = 'CAPTURED' then 1 else p.attempts end,
           updated_at = now()
      from ${gate}
     where p.order_id = ${orderId}::uuid and p.status in ('PENDING', 'CAPTURED') and p.refund_requested_at is null
     returning p.id, p.order_id, p.status, p.provider_ref, p.amount_minor`;
}

/** CAPTURED -> REFUNDED with the provider's reference and its event, in ONE statement; a row refunded already matches nothing. */
function refundSettlement(target: RefundTarget, refund: RefundResult): Sql {
  const announcement = outboxInsert('payments.payment.refunded', sql`settled`, {
    orderId: target.order_id,
    paymentId: target.id,
    amountMinor: target.amount_minor,
  });
  return sql`with settled as (
      update payments
         set status = 'REFUNDED', refund_ref = ${refund.reference}, attempts = 0, last_error = null,
             next_attempt_at = null, updated_at = now()
       where id = ${target.id}::uuid and status = 'CAPTURED' returning id),
    announced as (${announcement})
    select ${envelopesOf(sql`announced`)} as events`;
}
