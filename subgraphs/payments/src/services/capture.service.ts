import type { EntityManager } from '@mikro-orm/postgresql';
import {
  envelopesOf,
  executeEmitting,
  executePrepared,
  inboxInsert,
  outboxInsert,
  sql,
  uuidv7,
  type EventEnvelope,
  type OneStatementStep,
  type Payload,
  type Logger,
  type Sql,
} from '@storegraph/common';
import type { ChargeResult, PaymentProvider } from './payment-provider';
import { ask, leaseEnd, ONCE, retryDelayMs, unanswered, type Answer, type RetrySchedule } from './provider-retry';

export type CaptureOutcome = 'captured' | 'failed' | 'unanswered' | 'already-attempted';

type Reserved = Payload<'orders.order.reserved'>;

/**
 * Captures an order's amount when orders reports it RESERVED.
 *
 * At most one capture per order, whatever the retries:
 * - the payment row is inserted first, and `unique (order_id)` lets only one attempt per
 *   order exist: a second reserved event for the order (a duplicate, or a retry upstream)
 *   inserts nothing;
 * - the provider is called with the order id as idempotency key, so calling again for an
 *   attempt whose answer was lost (a crash, a timeout) gets the first charge's result
 *   back instead of a second charge;
 * - the outcome is written only onto a PENDING row, with its event in the same statement.
 *
 * Never lost track of: the attempt is committed before the provider is called and is
 * never taken back. A call that throws has an unknown outcome (the card may be charged),
 * so the attempt stays PENDING with its token and a next_attempt_at (provider-retry.ts),
 * the event counts as handled, and PaymentReconciliation asks again with the same key
 * until the provider says approved or declined; then it settles with its event.
 *
 * The usual path (`step`) holds no transaction while the provider answers: one statement
 * records the event in the inbox and commits the PENDING attempt, the provider is called,
 * one statement settles it (or records that no answer came). The handler (`capture`)
 * applies the same rule inside the consumer's transaction, for the rare delivery the
 * step leaves to it; test/integration/provider-outcomes.test.ts runs both on the same cases.
 */
export class CaptureService {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly schedule: RetrySchedule,
    private readonly logger: Logger,
  ) {}

  /** The usual path; null (a duplicate delivery) lets the consumer's handler path say so. */
  readonly step: OneStatementStep<'orders.order.reserved'> = async (ctx, event) => {
    const order = event.data;
    const [claim] = await ctx.run<{ recorded: number; payment_id: string | null }>(
      sql`with recorded as (${inboxInsert(ctx, event, ONCE)}),
          attempt as (${attemptInsert(order, sql`recorded`, this.schedule)})
          select (select count(*) from recorded)::int as recorded, (select id from attempt) as payment_id`,
    );
    if (claim.recorded === 0) return null;
    if (!claim.payment_id) return [];
    // If this statement fails, the attempt stays PENDING under its lease: reconciliation takes it.
    const [done] = await ctx.run<{ events: EventEnvelope[] }>(this.outcome(claim.payment_id, order, await this.charge(order), 1));
    return done.events;
  };

  /** The same capture inside the consumer's transaction (the handler path). */
  async capture(tx: EntityManager, order: Reserved): Promise<CaptureOutcome> {
    const inserted = await executePrepared<{ id: string }>(tx, attemptInsert(order, ONCE, this.schedule));
    if (inserted.length === 0) return 'already-attempted';
    const answer = await this.charge(order);
    await executeEmitting(tx, this.outcome(inserted[0].id, order, answer, 1));
    if (!answer.answered) return 'unanswered';
    return answer.value.status === 'approved' ? 'captured' : 'failed';
  }

  /** Asks again for a PENDING attempt (its `attempts`-th call, already claimed); settles it unless settled meanwhile. */
  async resume(em: EntityManager, paymentId: string, order: Reserved, attempts: number): Promise<Answer<ChargeResult>> {
    const answer = await this.charge(order);
    await executeEmitting(em, this.outcome(paymentId, order, answer, attempts));
    return answer;
  }

  /** THE rule for what a charge call leads to, on every path: settle on an answer, keep PENDING without one. */
  private outcome(paymentId: string, order: Reserved, answer: Answer<ChargeResult>, attempts: number): Sql {
    if (answer.answered) return settlement(paymentId, order, answer.value);
    this.logger.warn('capture unanswered; kept PENDING, will ask the provider again', {
      orderId: order.orderId,
      attempts,
      retryInMs: retryDelayMs(this.schedule, attempts),
      error: answer.error,
    });
    return unanswered(paymentId, 'PENDING', attempts, answer.error, this.schedule);
  }

  private charge(order: Reserved): Promise<Answer<ChargeResult>> {
    return ask(() =>
      this.provider.charge({
        idempotencyKey: order.orderId,
        token: order.paymentToken,
        amountMinor: order.amountMinor,
        currency: order.currency,
      }),
    );
  }
}

/**
 * The order's one PENDING attempt, with the token to charge it again, once for each row of
 * `source`, leased for its first call; returns its id, or nothing when the order has its attempt.
 */
function attemptInsert(order: Reserved, source: Sql, schedule: RetrySchedule): Sql {
  return sql`insert into payments (id, order_id, user_id, amount_minor, currency, status, payment_token, attempts, next_attempt_at)
    select ${uuidv7()}::uuid, ${order.orderId}::uuid, ${order.userId}::uuid, ${order.amountMinor}, ${order.currency},
           'PENDING', ${order.paymentToken}, 1, ${leaseEnd(schedule)}
      from ${source}
    on conflict (order_id) do nothing
    returning id`;
}

/**
 * The outcome onto the PENDING row, the token dropped, and its event, in ONE statement;
 * a row settled already matches nothing and announces nothing. A refund asked for while
 * the outcome was unknown (refund_requested_at) becomes due at once when approved.
 */
function settlement(paymentId: string, order: Pick<Reserved, 'orderId' | 'amountMinor'>, result: ChargeResult): Sql {
  const announcement =
    result.status === 'approved'
      ? outboxInsert('payments.payment.captured', sql`settled`, { orderId: order.orderId, paymentId, amountMinor: order.amountMinor })
      : outboxInsert('payments.payment.failed', sql`settled`, { orderId: order.orderId, paymentId, reason: result.reason });
  return sql`with settled as (
      update payments
         set status = ${result.status === 'approved' ? 'CAPTURED' : 'FAILED'},
             provider_ref = ${result.status === 'approved' ? result.reference : null},
             failure_reason = ${result.status === 'approved' ? null : result.reason},
             payment_token = null,
             attempts = 0,
             last_error = null,
             next_attempt_at = case when ${result.status === 'approved'}::boolean and refund_requested_at is not null then now() end,
             updated_at = now()
       where id = ${paymentId}::uuid and status = 'PENDING' returning id),
    announced as (${announcement})
    select ${envelopesOf(sql`announced`)} as events`;
}
