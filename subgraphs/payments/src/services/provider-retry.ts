import { sql, type Sql } from '@storegraph/common';

/**
 * How payments keeps asking the provider until it answers. A provider call that throws
 * (timeout, reset, 5xx) has an UNKNOWN outcome: the money may have moved. Such a call is
 * never forgotten: its payment row keeps the work outstanding (PENDING for a capture,
 * CAPTURED with refund_requested_at for a refund) with a next_attempt_at, and
 * PaymentReconciliation asks again with the same idempotency key (the provider answers
 * with the first result, never moving money twice) until an answer comes.
 */
export interface RetrySchedule {
  /**
   * `PAYMENT_RECOVERY_AFTER_SECONDS`: a call about to be made holds its row this long, so
   * no sweep asks at the same time; past it, the process is taken as dead mid-call.
   */
  leaseSeconds: number;
  /** `PAYMENT_RETRY_MIN_MS`: the wait after the first unanswered call; doubles after each. */
  minMs: number;
  /** `PAYMENT_RETRY_MAX_MS`: the longest wait between two calls. */
  maxMs: number;
}

/** The wait after the `attempts`-th unanswered call (1-based). */
export function retryDelayMs(schedule: RetrySchedule, attempts: number): number {
  return Math.min(schedule.maxMs, schedule.minMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
}

/** The provider's answer, or the fact that none came (the call threw). */
export type Answer<T> = { answered: true; value: T } | { answered: false; error: string };

/** Makes a provider call whose failure is an outcome to record, not an exception to retry the event on. */
export async function ask<T>(call: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { answered: true, value: await call() };
  } catch (err) {
    return { answered: false, error: (err instanceof Error ? err.message : String(err)).slice(0, 1000) };
  }
}

/** A FROM item of one row: a write that happens once, ungated. */
export const ONCE: Sql = sql`(select 1) as once`;

/** When a call about to be made may be taken as interrupted (the lease). */
export const leaseEnd = (schedule: RetrySchedule): Sql => sql`now() + make_interval(secs => ${schedule.leaseSeconds})`;

/**
 * An unanswered call onto its row: the row keeps its status and the work stays
 * outstanding, asked again after the backoff. Matches only a row still in `status`
 * (one settled meanwhile is left alone). Announces nothing, in the shape of a settlement.
 */
export function unanswered(
  paymentId: string,
  status: 'PENDING' | 'CAPTURED',
  attempts: number,
  error: string,
  schedule: RetrySchedule,
): Sql {
  const delaySeconds = retryDelayMs(schedule, attempts) / 1000;
  return sql`with kept as (
      update payments
         set next_attempt_at = now() + make_interval(secs => ${delaySeconds}), last_error = ${error}, updated_at = now()
       where id = ${paymentId}::uuid and status = ${status} returning id)
    select '[]'::jsonb as events, (select count(*) from kept)::int as kept`;
}
