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
  type Sql,
} from '@storegraph/common';
import type { ChargeResult, PaymentProvider } from './payment-provider';

export type CaptureOutcome = 'captured' | 'failed' | 'already-attempted';

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
 * The usual path (`step`) holds no transaction while the provider answers: one statement
 * records the event in the inbox and commits the PENDING attempt, the provider is called,
 * one statement settles it. If the call fails, the attempt and its inbox row are taken
 * back and the event is retried; if the process dies in between, the attempt stays
 * PENDING and PendingCaptureRecovery charges it again with the same key. The handler
 * (`capture`) does the same inside the consumer's transaction, for the rare delivery the
 * step leaves to it.
 */
export class CaptureService {
  constructor(private readonly provider: PaymentProvider) {}

  /** The usual path; null (a duplicate delivery) lets the consumer's handler path say so. */
  readonly step: OneStatementStep<'orders.order.reserved'> = async (ctx, event) => {
    const order = event.data;
    const [claim] = await ctx.run<{ recorded: number; payment_id: string | null }>(
      sql`with recorded as (${inboxInsert(ctx, event, ONCE)}),
          attempt as (${attemptInsert(order, sql`recorded`)})
          select (select count(*) from recorded)::int as recorded, (select id from attempt) as payment_id`,
    );
    if (claim.recorded === 0) return null;
    if (!claim.payment_id) return [];
    const paymentId = claim.payment_id;
    let result: ChargeResult;
    try {
      result = await this.charge(order);
    } catch (err) {
      // Nothing is known to have happened: take the attempt back so the retry starts afresh.
      await ctx.run(sql`with released as (delete from payments where id = ${paymentId}::uuid and status = 'PENDING')
                        delete from processed_events where event_id = ${event.id}::uuid and consumer = ${ctx.consumer}`);
      throw err;
    }
    const [settled] = await ctx.run<{ events: EventEnvelope[] }>(settlement(paymentId, order, result));
    return settled.events;
  };

  /** The same capture inside the consumer's transaction (the handler path). */
  async capture(tx: EntityManager, order: Reserved): Promise<CaptureOutcome> {
    const inserted = await executePrepared<{ id: string }>(tx, attemptInsert(order, ONCE));
    if (inserted.length === 0) return 'already-attempted';
    const result = await this.charge(order);
    await executeEmitting(tx, settlement(inserted[0].id, order, result));
    return result.status === 'approved' ? 'captured' : 'failed';
  }

  /** Charges an attempt again that a crash left PENDING; settles it unless it was settled meanwhile. */
  async resume(em: EntityManager, paymentId: string, order: Reserved): Promise<void> {
    await executeEmitting(em, settlement(paymentId, order, await this.charge(order)));
  }

  private charge(order: Reserved): Promise<ChargeResult> {
    return this.provider.charge({
      idempotencyKey: order.orderId,
      token: order.paymentToken,
      amountMinor: order.amountMinor,
      currency: order.currency,
    });
  }
}

/** A FROM item of one row: a write that happens once, ungated. */
const ONCE = sql`(select 1) as once`;

/**
 * The order's one PENDING attempt, with the token to charge it again after a crash, once
 * for each row of `source`; returns its id, or nothing when the order has its attempt.
 */
function attemptInsert(order: Reserved, source: Sql): Sql {
  return sql`insert into payments (id, order_id, user_id, amount_minor, currency, status, payment_token)
    select ${uuidv7()}::uuid, ${order.orderId}::uuid, ${order.userId}::uuid, ${order.amountMinor}, ${order.currency},
           'PENDING', ${order.paymentToken}
      from ${source}
    on conflict (order_id) do nothing
    returning id`;
}

/**
 * The outcome onto the PENDING row, the token dropped, and its event, in ONE statement;
 * a row settled already matches nothing and announces nothing.
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
             updated_at = now()
       where id = ${paymentId}::uuid and status = 'PENDING' returning id),
    announced as (${announcement})
    select ${envelopesOf(sql`announced`)} as events`;
}
