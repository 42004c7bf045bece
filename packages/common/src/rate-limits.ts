import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { EnvReader } from './config';
import { rateLimited } from './errors';

/** An allowance: `points` actions per window of `windowSeconds`, the window opened by the first. */
export interface RateRule {
  points: number;
  windowSeconds: number;
}

interface RateRuleSetting {
  /** Who a key stands for (documentation; the caller builds the key). */
  per: 'client address' | 'user' | 'email';
  pointsSetting: string;
  windowSetting: string;
  defaults: RateRule;
}

/**
 * Every rate limit of the system, in one table: its settings and its defaults for a real
 * store. Each service reads the rules it enforces (readRateRules). The names double as
 * Redis key segments, so they are unique across services sharing one key prefix.
 */
export const RATE_RULES = {
  /** Every GraphQL request (HTTP) and WebSocket operation at the gateway. */
  request: setting('client address', 'REQUEST_RATE_LIMIT', 'REQUEST_RATE_WINDOW_SECONDS', 600, 60),
  /** Each register hashes a password (scrypt) and creates an account. */
  register: setting('client address', 'REGISTER_RATE_LIMIT', 'REGISTER_RATE_WINDOW_SECONDS', 20, 3600),
  /** Every login attempt from one address, right or wrong: each one hashes a password (scrypt). */
  login: setting('client address', 'LOGIN_RATE_LIMIT', 'LOGIN_RATE_WINDOW_SECONDS', 30, 60),
  /** Wrong passwords for one account (guessing its password): failures, not attempts. */
  loginFailuresPerEmail: setting('email', 'LOGIN_MAX_FAILURES', 'LOGIN_WINDOW_SECONDS', 5, 900),
  /** Wrong passwords from one address (spraying many accounts). */
  loginFailuresPerAddress: setting('client address', 'LOGIN_MAX_FAILURES_PER_ADDRESS', 'LOGIN_WINDOW_SECONDS', 50, 900),
  /** Each refresh locks and writes a token row; a client needs one per access-token lifetime. */
  refreshToken: setting('client address', 'REFRESH_RATE_LIMIT', 'REFRESH_RATE_WINDOW_SECONDS', 60, 60),
  /** Reset emails asked for one address (flooding someone's inbox); counted whether or not it has an account. */
  passwordResetPerEmail: setting('email', 'PASSWORD_RESET_RATE_LIMIT', 'PASSWORD_RESET_RATE_WINDOW_SECONDS', 5, 3600),
  /** Reset emails asked for from one client address (spraying many inboxes). */
  passwordResetPerAddress: setting('client address', 'PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS', 'PASSWORD_RESET_RATE_WINDOW_SECONDS', 20, 3600),
  /** Verification emails one signed-in user asks for again. */
  emailVerificationPerUser: setting('user', 'EMAIL_VERIFICATION_RATE_LIMIT', 'EMAIL_VERIFICATION_RATE_WINDOW_SECONDS', 5, 3600),
  /** Each checkout prices a cart, writes an order and holds stock for RESERVATION_TTL_SECONDS. */
  checkout: setting('user', 'CHECKOUT_RATE_LIMIT', 'CHECKOUT_RATE_WINDOW_SECONDS', 10, 600),
  /** Each add asks the catalog and writes a cart line. */
  addToCart: setting('user', 'ADD_TO_CART_RATE_LIMIT', 'ADD_TO_CART_RATE_WINDOW_SECONDS', 60, 60),
} as const;

function setting(
  per: RateRuleSetting['per'],
  pointsSetting: string,
  windowSetting: string,
  points: number,
  windowSeconds: number,
): RateRuleSetting {
  return { per, pointsSetting, windowSetting, defaults: { points, windowSeconds } };
}

export type RateRuleName = keyof typeof RATE_RULES;

/**
 * The rules `names` as configured: each setting read once (two rules may share a window
 * setting) and every allowance multiplied by `RATE_LIMIT_MULTIPLIER`, which suites and
 * benchmarks that make many accounts or requests from one address raise.
 */
export function readRateRules<N extends RateRuleName>(env: EnvReader, names: readonly N[]): Record<N, RateRule> {
  const read = new Map<string, number>();
  const int = (setting: string, fallback: number) => {
    if (!read.has(setting)) read.set(setting, env.int(setting, fallback, 1));
    return read.get(setting)!;
  };
  const multiplier = int('RATE_LIMIT_MULTIPLIER', 1);
  const rules = {} as Record<N, RateRule>;
  for (const name of names) {
    const setting = RATE_RULES[name];
    rules[name] = {
      points: Math.min(int(setting.pointsSetting, setting.defaults.points) * multiplier, Number.MAX_SAFE_INTEGER),
      windowSeconds: int(setting.windowSetting, setting.defaults.windowSeconds),
    };
  }
  return rules;
}

/** The key of a client address; one shared bucket when the address is unknown, never none. */
export function addressKey(clientIp: string | null): string {
  return clientIp ?? 'unknown';
}

/** ioredis states in which Redis has been lost: the client is trying to get it back, or gave up. */
const REDIS_LOST = new Set(['reconnecting', 'close', 'end']);

interface Limiter {
  rule: RateRule;
  redis: RateLimiterRedis;
  memory: RateLimiterMemory;
}

/**
 * Fixed-window counters in Redis (rate-limiter-flexible), one per named rule, keyed by
 * what the rule is per (an address, a user id, an email).
 *
 * Keys are hashed: whatever a client sent (an email, an X-Forwarded-For value) is neither
 * stored in Redis in the clear nor able to make a key long.
 *
 * While Redis is unavailable each rule counts in memory with the same allowance instead
 * (the library's insuranceLimiter), so the limits still hold per process rather than
 * failing every register, login and checkout (closed) or none (open); at most
 * (processes x allowance) gets through during an outage, and the counts made in memory
 * are not carried into Redis when it returns. Once the client has lost Redis, calls go to
 * memory at once: waiting for each command to fail would add up to seconds per request.
 * Before the first connection is made they wait for it (queued), so a service that has
 * just started counts in Redis from its first request.
 */
export class RateLimits<N extends string> {
  private readonly limiters = new Map<string, Limiter>();

  constructor(private readonly client: Redis, rules: Record<N, RateRule>) {
    for (const [name, rule] of Object.entries(rules) as Array<[N, RateRule]>) {
      const options = { keyPrefix: `rl:${name}`, points: rule.points, duration: rule.windowSeconds };
      const memory = new RateLimiterMemory(options);
      const redis = new RateLimiterRedis({ ...options, storeClient: client, insuranceLimiter: memory });
      this.limiters.set(name, { rule, redis, memory });
    }
  }

  /** Counts one action against `key`; throws RATE_LIMITED once the allowance is spent. */
  async consume(name: N, key: string): Promise<void> {
    const { limiter, rule } = this.entry(name);
    try {
      await limiter.consume(hashed(key));
    } catch (err) {
      // The library rejects with a RateLimiterRes when the allowance is spent, an Error otherwise.
      throw err instanceof RateLimiterRes ? rateLimited(retryAfterSeconds(err, rule)) : err;
    }
  }

  /**
   * Throws RATE_LIMITED if any of the keys has spent its allowance, without counting (see
   * count), with the longest wait among them: retrying sooner would only be refused again.
   */
  async assertAllowed(checks: ReadonlyArray<readonly [N, string]>): Promise<void> {
    const waits = await Promise.all(
      checks.map(async ([name, key]) => {
        const { limiter, rule } = this.entry(name);
        const res = await limiter.get(hashed(key));
        return res && res.consumedPoints >= rule.points ? retryAfterSeconds(res, rule) : 0;
      }),
    );
    const wait = Math.max(0, ...waits);
    if (wait > 0) throw rateLimited(wait);
  }

  /** Counts one action against `key` without refusing it (e.g. a failed login, after the fact). */
  async count(name: N, key: string): Promise<void> {
    await this.entry(name).limiter.penalty(hashed(key));
  }

  /** Forgets what `key` has spent (e.g. a successful login forgives the account's failures). */
  async forgive(name: N, key: string): Promise<void> {
    await this.entry(name).limiter.delete(hashed(key));
  }

  private entry(name: N): { rule: RateRule; limiter: RateLimiterRedis | RateLimiterMemory } {
    const entry = this.limiters.get(name);
    if (!entry) throw new Error(`No rate limit rule named ${name}`);
    return { rule: entry.rule, limiter: REDIS_LOST.has(this.client.status) ? entry.memory : entry.redis };
  }
}

/** Whole seconds, at least 1; the full window when the store reports no expiry. */
function retryAfterSeconds(res: RateLimiterRes, rule: RateRule): number {
  return res.msBeforeNext > 0 ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : rule.windowSeconds;
}

function hashed(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
