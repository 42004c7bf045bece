import type { MikroORM } from '@mikro-orm/postgresql';
import { PeriodicTask, type Logger } from '@storegraph/common';
import type { CaptureService } from './capture.service';
import type { RetrySchedule } from './provider-retry';
import type { RefundService } from './refund.service';

interface OutstandingRow {
  id: string;
  order_id: string;
  user_id: string;
  amount_minor: number;
  currency: string;
  status: 'PENDING' | 'CAPTURED';
  payment_token: string;
  provider_ref: string | null;
  attempts: number;
}

const BATCH = 20;

/**
 * Asks the provider again about every call whose answer payments does not have: captures
 * PENDING and refunds outstanding (CAPTURED with refund_requested_at), once their
 * next_attempt_at has come. That is a call whose answer was lost (the provider threw:
 * timeout, reset), put off with backoff (provider-retry.ts), or one a crash interrupted:
 * every call is leased for `leaseSeconds` when it starts, so a process that dies during
 * it leaves a row that comes due when the lease ends. Each call uses the payment's
 * idempotency key (the order id, `refund:<orderId>`), so the provider answers with the
 * first result and never moves money twice; the answer settles the row with its event,
 * no answer puts it off again. Nothing is ever given up on: the row stays outstanding,
 * visible, and asked about until the provider answers.
 *
 * Several instances share the work: a claim leases the row under SKIP LOCKED, so no
 * other sweep takes it until the lease ends. A row settled meanwhile is matched by
 * nothing (each settlement needs the status it expects).
 */
export class PaymentReconciliation {
  private readonly ticks: PeriodicTask;

  constructor(
    private readonly options: {
      orm: MikroORM;
      capture: CaptureService;
      refund: RefundService;
      logger: Logger;
      schedule: RetrySchedule;
    },
  ) {
    const { schedule } = options;
    this.ticks = new PeriodicTask(
      // A due call waits at most about one period; the shortest wait bounds it, and so does the lease.
      Math.min(15_000, Math.max(250, Math.min(schedule.minMs, (schedule.leaseSeconds * 1000) / 4))),
      () => this.sweep(),
      (err) => options.logger.warn('payment reconciliation failed; will retry', { err }),
    );
  }

  start(): void {
    this.ticks.start();
  }

  /** Claims and asks about one batch of due calls; returns how many it claimed. */
  async sweep(): Promise<number> {
    const { orm, schedule, capture, refund, logger } = this.options;
    const em = orm.em.fork();
    // Rows from before next_attempt_at existed come due a lease after their last change.
    const due = await em.execute<OutstandingRow[]>(
      `update payments set next_attempt_at = now() + make_interval(secs => ?), attempts = attempts + 1, updated_at = now()
        where id in (select id from payments
                      where (status = 'PENDING' and payment_token is not null
                             or status = 'CAPTURED' and refund_requested_at is not null)
                        and coalesce(next_attempt_at, updated_at + make_interval(secs => ?)) <= now()
                      order by next_attempt_at nulls first limit ? for update skip locked)
        returning id, order_id, user_id, amount_minor, currency, status, payment_token, provider_ref, attempts`,
      [schedule.leaseSeconds, schedule.leaseSeconds, BATCH],
    );
    for (const row of due) {
      try {
        const answer =
          row.status === 'PENDING'
            ? await capture.resume(em, row.id, this.order(row), row.attempts)
            : await refund.resume(em, row, row.attempts);
        if (answer.answered) logger.info('provider answered an outstanding call', { orderId: row.order_id, kind: this.kind(row) });
      } catch (err) {
        // The answer could not be written: the row stays leased and comes due when the lease ends.
        logger.warn('could not settle an outstanding provider call', { orderId: row.order_id, kind: this.kind(row), err });
      }
    }
    return due.length;
  }

  stop(): Promise<void> {
    return this.ticks.stop();
  }

  private order(row: OutstandingRow) {
    return {
      orderId: row.order_id,
      userId: row.user_id,
      amountMinor: row.amount_minor,
      currency: row.currency,
      paymentToken: row.payment_token,
    };
  }

  private kind(row: OutstandingRow): 'capture' | 'refund' {
    return row.status === 'PENDING' ? 'capture' : 'refund';
  }
}
