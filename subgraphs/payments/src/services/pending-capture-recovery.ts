import type { MikroORM } from '@mikro-orm/postgresql';
import { PeriodicTask, type Logger } from '@storegraph/common';
import type { CaptureService } from './capture.service';

interface StrandedRow {
  id: string;
  order_id: string;
  user_id: string;
  amount_minor: number;
  currency: string;
  payment_token: string;
}

const BATCH = 20;

/**
 * Finishes captures a crash interrupted. A capture commits its PENDING attempt before it
 * calls the provider (CaptureService.step), so a process that dies during the call leaves
 * the row PENDING with its event already marked handled. A few times per `afterSeconds` this takes
 * the attempts PENDING for longer than `afterSeconds` (far longer than any provider call
 * takes), charges each again with its order id as idempotency key (the provider answers
 * with the first result, so no second charge) and settles it with its event.
 *
 * Several instances share the work: a claim bumps updated_at under SKIP LOCKED, so the
 * next sweep anywhere leaves the row alone for another `afterSeconds`. A row settled
 * meanwhile by the capture itself is matched by nothing (settlement needs PENDING).
 */
export class PendingCaptureRecovery {
  private readonly ticks: PeriodicTask;

  constructor(
    private readonly options: { orm: MikroORM; capture: CaptureService; logger: Logger; afterSeconds: number },
  ) {
    this.ticks = new PeriodicTask(
      // A few looks per period: an interrupted capture waits at most about 1.25 periods.
      Math.min(15_000, Math.max(250, (options.afterSeconds * 1000) / 4)),
      () => this.sweep(),
      (err) => options.logger.warn('pending capture recovery failed; will retry', { err }),
    );
  }

  start(): void {
    this.ticks.start();
  }

  /** Claims and settles one batch of interrupted captures; returns how many it claimed. */
  async sweep(): Promise<number> {
    const em = this.options.orm.em.fork();
    const stranded = await em.execute<StrandedRow[]>(
      `update payments set updated_at = now()
        where id in (select id from payments
                      where status = 'PENDING' and payment_token is not null
                        and updated_at < now() - make_interval(secs => ?)
                      order by updated_at limit ? for update skip locked)
        returning id, order_id, user_id, amount_minor, currency, payment_token`,
      [this.options.afterSeconds, BATCH],
    );
    for (const row of stranded) {
      try {
        await this.options.capture.resume(em, row.id, {
          orderId: row.order_id,
          userId: row.user_id,
          amountMinor: row.amount_minor,
          currency: row.currency,
          paymentToken: row.payment_token,
        });
        this.options.logger.info('resumed an interrupted capture', { orderId: row.order_id });
      } catch (err) {
        // Still PENDING: the next sweep after afterSeconds tries again.
        this.options.logger.warn('could not resume an interrupted capture', { orderId: row.order_id, err });
      }
    }
    return stranded.length;
  }

  stop(): Promise<void> {
    return this.ticks.stop();
  }
}
