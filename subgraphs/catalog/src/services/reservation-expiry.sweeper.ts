import type { MikroORM } from '@mikro-orm/postgresql';
import { PeriodicTask, type Logger } from '@storegraph/common';
import { ReservationService } from './reservation.service';

export interface ReservationExpirySweeperOptions {
  orm: MikroORM;
  logger: Logger;
  intervalMs: number;
  /** Holds released per transaction, so one sweep never holds many locks for long. */
  batchSize?: number;
}

/**
 * Ends holds nobody paid for in time. Each batch is one transaction that releases the
 * units and writes the `catalog.reservation.expired` events to the outbox, so an expiry
 * is announced exactly when it happened. Ticks never overlap within an instance; across
 * instances the claim (FOR UPDATE SKIP LOCKED) keeps them from sweeping the same hold.
 */
export class ReservationExpirySweeper {
  private readonly ticks: PeriodicTask;
  private expired = 0;

  constructor(private readonly options: ReservationExpirySweeperOptions) {
    this.ticks = new PeriodicTask(
      options.intervalMs,
      () => this.sweep(),
      (err) => options.logger.warn('reservation sweep failed; retrying next tick', { err }),
    );
  }

  /** Holds this sweeper has expired so far (for tests and metrics). */
  get expiredCount(): number {
    return this.expired;
  }

  start(): void {
    this.ticks.start();
  }

  /** Expires every hold past its deadline, batch by batch; returns the orders expired. */
  async sweep(): Promise<string[]> {
    const batchSize = this.options.batchSize ?? 100;
    const all: string[] = [];
    while (!this.ticks.stopped) {
      const batch = await this.options.orm.em.fork().transactional((tx) => new ReservationService(tx).expireDue(batchSize));
      this.expired += batch.length;
      all.push(...batch);
      if (batch.length < batchSize) break;
    }
    return all;
  }

  stop(): Promise<void> {
    return this.ticks.stop();
  }
}
