import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { rateLimited } from '@storegraph/common';
import type { LoginLimits } from '../config';

interface Counter {
  key: string;
  max: number;
}

/**
 * Failed-login counters in Redis, per email (guessing one account's password) and per
 * client address (spraying many accounts). A window starts with the first failure and is
 * not extended by later ones (EXPIRE NX), so a locked-out user knows when to come back.
 */
export class LoginThrottleService {
  constructor(private readonly redis: Redis, private readonly limits: LoginLimits) {}

  /** Throws RATE_LIMITED while any counter is at its limit; checked before the password. */
  async assertAllowed(email: string, clientIp: string | null): Promise<void> {
    const counters = this.counters(email, clientIp);
    const pipeline = this.redis.pipeline();
    for (const { key } of counters) pipeline.get(key).ttl(key);
    const replies = (await pipeline.exec()) ?? [];
    let retryAfter = 0;
    for (const [i, { max }] of counters.entries()) {
      const [countErr, count] = replies[2 * i] ?? [];
      const [ttlErr, ttl] = replies[2 * i + 1] ?? [];
      if (countErr || ttlErr) throw countErr ?? ttlErr;
      if (Number(count ?? 0) < max) continue;
      // A key without a TTL cannot come from recordFailure; answer with the full window.
      retryAfter = Math.max(retryAfter, typeof ttl === 'number' && ttl > 0 ? ttl : this.limits.windowSeconds);
    }
    if (retryAfter > 0) throw rateLimited(retryAfter);
  }

  async recordFailure(email: string, clientIp: string | null): Promise<void> {
    const transaction = this.redis.multi();
    for (const { key } of this.counters(email, clientIp)) {
      transaction.incr(key).expire(key, this.limits.windowSeconds, 'NX');
    }
    const failed = ((await transaction.exec()) ?? []).find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** A successful login forgives the account's failures (not the address's). */
  async clear(email: string): Promise<void> {
    await this.redis.del(emailKey(email));
  }

  private counters(email: string, clientIp: string | null): Counter[] {
    const counters = [{ key: emailKey(email), max: this.limits.maxFailuresPerEmail }];
    if (clientIp) counters.push({ key: `login:fail:ip:${clientIp}`, max: this.limits.maxFailuresPerAddress });
    return counters;
  }
}

// Hashed: keeps addresses out of Redis and bounds the key length whatever was typed.
function emailKey(email: string): string {
  return `login:fail:email:${createHash('sha256').update(email).digest('hex')}`;
}
