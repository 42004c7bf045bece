import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { revocationKeys, type Logger } from '@storegraph/common';

/** One entry of the revocation list: a Redis key and when it may be forgotten. */
export interface Revocation {
  key: string;
  expiresAt: Date;
}

/** Entries per Redis pipeline when many are pushed at once. */
const PUSH_BATCH = 500;

/**
 * The revocation list the gateway reads before it trusts an access token. An entry is
 * recorded in the database in the transaction that revokes the refresh tokens, so a
 * logout or reuse detection commits whole or not at all; it is then pushed to Redis
 * right after commit. A push that fails stays pending in the table and RevocationSync
 * retries it; a Redis that restarted empty gets the whole list again. Entries only need
 * to outlive the tokens they kill, so each expires with them, in Redis and in the table.
 */
export class RevocationService {
  constructor(
    private readonly em: EntityManager,
    private readonly redis: Redis,
    private readonly accessTokenTtlSeconds: number,
    private readonly logger: Logger,
  ) {}

  /** In `tx`: every access token issued under a login (refresh-token family) is dead. */
  recordFamily(tx: EntityManager, familyId: string): Promise<Revocation> {
    return this.record(tx, revocationKeys.family(familyId), new Date(Date.now() + this.accessTokenTtlSeconds * 1000));
  }

  /** In `tx`: one access token is dead until it would have expired anyway. */
  recordAccessToken(tx: EntityManager, tokenId: string, expiresAtUnixSeconds: number): Promise<Revocation> {
    return this.record(tx, revocationKeys.token(tokenId), new Date(Math.max(expiresAtUnixSeconds * 1000, Date.now() + 1000)));
  }

  /**
   * After commit: pushes the entries to Redis and marks them published. Never throws: what
   * did not land is still pending in the table, and the sync retries it.
   */
  async publish(entries: Revocation[]): Promise<boolean> {
    try {
      await this.push(entries);
      await this.markPublished(this.em.fork(), entries);
      return true;
    } catch (err) {
      this.logger.warn('revocation not in Redis yet; it will be retried', { err, keys: entries.map((e) => e.key) });
      return false;
    }
  }

  /** Entries not (known to be) in Redis yet. */
  async pending(em: EntityManager): Promise<Revocation[]> {
    return this.rows(em, 'select key, expires_at from revocations where published_at is null and expires_at > now()');
  }

  /** Every entry still in force. */
  async inForce(em: EntityManager): Promise<Revocation[]> {
    return this.rows(em, 'select key, expires_at from revocations where expires_at > now()');
  }

  /** Throws unless Redis accepted every entry. */
  async push(entries: Revocation[]): Promise<void> {
    const now = Date.now();
    const live = entries.filter((entry) => entry.expiresAt.getTime() > now);
    for (let i = 0; i < live.length; i += PUSH_BATCH) {
      const pipeline = this.redis.pipeline();
      for (const entry of live.slice(i, i + PUSH_BATCH)) pipeline.set(entry.key, '1', 'PXAT', entry.expiresAt.getTime());
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err !== null);
      if (failed) throw failed[0];
      if (results.length !== Math.min(PUSH_BATCH, live.length - i)) throw new Error('Redis answered part of a revocation batch');
    }
  }

  /** Marks entries published unless they were renewed since (then they are pushed again). */
  async markPublished(em: EntityManager, entries: Revocation[]): Promise<void> {
    if (entries.length === 0) return;
    // One statement for the batch: the pairs travel as one JSON parameter.
    await em.execute(
      `update revocations r set published_at = now()
         from jsonb_to_recordset(?::jsonb) as p(key text, expires_at timestamptz)
        where r.key = p.key and r.expires_at = p.expires_at and r.published_at is null`,
      [JSON.stringify(entries.map((e) => ({ key: e.key, expires_at: e.expiresAt.toISOString() })))],
    );
  }

  /** Drops entries whose tokens have all expired. */
  async prune(em: EntityManager): Promise<void> {
    await em.execute('delete from revocations where expires_at <= now()');
  }

  private async record(tx: EntityManager, key: string, expiresAt: Date): Promise<Revocation> {
    // A login can be revoked twice (reuse detected, then a logout): the later expiry wins.
    const [row] = await tx.execute<Array<{ key: string; expires_at: Date }>>(
      `insert into revocations (key, expires_at) values (?, ?)
       on conflict (key) do update set expires_at = greatest(revocations.expires_at, excluded.expires_at), published_at = null
       returning key, expires_at`,
      [key, expiresAt],
    );
    return { key: row.key, expiresAt: new Date(row.expires_at) };
  }

  private async rows(em: EntityManager, sql: string): Promise<Revocation[]> {
    const rows = await em.execute<Array<{ key: string; expires_at: Date }>>(sql);
    return rows.map((row) => ({ key: row.key, expiresAt: new Date(row.expires_at) }));
  }
}
