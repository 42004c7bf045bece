import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { markRevocationListWhole, PeriodicTask, revocationListIsWhole, type Logger } from '@storegraph/common';
import type { RevocationService } from './revocation.service';

/** The advisory lock of a revocation sync pass (a constant unique among users' locks). */
export const REVOCATION_SYNC_LOCK = 0x7265766f; // 'revo'

/**
 * Keeps Redis holding the whole revocation list, whatever happened to it. Every interval
 * (and at once when the Redis connection becomes ready again) it checks the `complete`
 * mark: present, it pushes what is still pending (a push that failed after its commit);
 * absent or written on another server, Redis restarted empty, was flushed or is a replica
 * Sentinel promoted, so it pushes every entry still in force, then sets the mark
 * (revocation-list.ts). Until the mark is back the gateway treats the list as unreadable
 * and refuses tokens with SERVICE_UNAVAILABLE, so a token revoked before the restart is
 * never taken for a good one. Expired entries are dropped from the table as it goes.
 *
 * Replicas take turns: a pass runs under a transaction-scoped advisory lock, taken with
 * try (never waited for), so while one replica pushes, another's tick does nothing
 * rather than push the same entries (or the whole list) a second time.
 */
export class RevocationSync {
  private readonly task: PeriodicTask;
  private pushedEntries = 0;
  private readonly onReady = () => this.task.kick();

  constructor(
    private readonly em: EntityManager,
    private readonly redis: Redis,
    private readonly revocations: RevocationService,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.task = new PeriodicTask(intervalMs, () => this.run(), (err) => this.logger.warn('revocation sync failed; retrying', { err }));
  }

  start(): void {
    this.redis.on('ready', this.onReady);
    this.task.start();
  }

  async stop(): Promise<void> {
    this.redis.off('ready', this.onReady);
    await this.task.stop();
  }

  /** Entries this process has pushed in its passes so far (tests). */
  get pushed(): number {
    return this.pushedEntries;
  }

  /** One pass; returns how many entries it pushed (0 when another replica's pass is under way). */
  async run(): Promise<number> {
    return this.em.fork().transactional(async (em) => {
      const [{ locked }] = await em.execute<Array<{ locked: boolean }>>('select pg_try_advisory_xact_lock(?) as locked', [REVOCATION_SYNC_LOCK]);
      if (!locked) return 0;
      await this.revocations.prune(em);
      const complete = await revocationListIsWhole(this.redis);
      const entries = complete ? await this.revocations.pending(em) : await this.revocations.inForce(em);
      await this.revocations.push(entries);
      if (!complete) {
        await markRevocationListWhole(this.redis);
        this.logger.info('revocation list pushed to Redis in full', { entries: entries.length });
      }
      await this.revocations.markPublished(em, entries);
      this.pushedEntries += entries.length;
      return entries.length;
    });
  }
}
