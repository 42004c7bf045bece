import type { Redis } from 'ioredis';
import { ConfigError, createRedis, EnvReader, RateLimits, readRateRules } from '../../src';
import { OwnRedisServer, testRedisPrefix, unique } from '../../src/testing';

type Rules = 'tight' | 'loose';

/** The thrown error's extensions, or null when nothing was thrown. */
async function refusal(attempt: Promise<void>): Promise<Record<string, unknown> | null> {
  try {
    await attempt;
    return null;
  } catch (err) {
    return (err as { extensions?: Record<string, unknown> }).extensions ?? { thrown: String(err) };
  }
}

describe('RateLimits on Redis', () => {
  let redis: Redis;
  let limits: RateLimits<Rules>;
  beforeAll(async () => {
    redis = createRedis('redis://127.0.0.1:6379', testRedisPrefix);
    await redis.ping(); // ready: before that the limits would count in memory (see below)
    limits = new RateLimits<Rules>(redis, { tight: { points: 2, windowSeconds: 30 }, loose: { points: 100, windowSeconds: 30 } });
  });
  afterAll(() => redis.quit());

  it('allows the allowance, then refuses with RATE_LIMITED and the seconds left in the window', async () => {
    const key = unique('client');
    await limits.consume('tight', key);
    await limits.consume('tight', key);
    const refused = await refusal(limits.consume('tight', key));
    expect(refused).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(refused!.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused!.retryAfterSeconds).toBeLessThanOrEqual(30);
  });

  it('counts per key and per rule: another key, or the same key under another rule, is unaffected', async () => {
    const key = unique('client');
    for (let i = 0; i < 3; i += 1) await refusal(limits.consume('tight', key));
    expect(await refusal(limits.consume('tight', unique('other')))).toBeNull();
    expect(await refusal(limits.consume('loose', key))).toBeNull();
  });

  it('shares one count between instances (each service process has its own)', async () => {
    const second = createRedis('redis://127.0.0.1:6379', testRedisPrefix);
    try {
      await second.ping();
      const elsewhere = new RateLimits(second, { tight: { points: 2, windowSeconds: 30 } });
      const key = unique('client');
      await limits.consume('tight', key);
      await elsewhere.consume('tight', key);
      expect(await refusal(limits.consume('tight', key))).toMatchObject({ code: 'RATE_LIMITED' });
      expect(await refusal(elsewhere.consume('tight', key))).toMatchObject({ code: 'RATE_LIMITED' });
    } finally {
      await second.quit();
    }
  });

  it('keeps what the key was made of out of Redis: keys are hashed', async () => {
    const email = `${unique('someone')}@example.com`;
    await limits.consume('loose', email);
    // ioredis does not prefix a KEYS pattern.
    const stored = await redis.keys(`${testRedisPrefix}rl:loose:*`);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((key) => /rl:loose:[0-9a-f]{64}$/.test(key))).toBe(true);
    expect(stored.some((key) => key.includes(email))).toBe(false);
  });

  it('checks without counting, counts without refusing, and forgives', async () => {
    const key = unique('account');
    await limits.assertAllowed([['tight', key]]);
    await limits.count('tight', key);
    await limits.assertAllowed([['tight', key]]);
    await limits.count('tight', key);
    await limits.count('tight', key); // past the allowance: still no throw
    expect(await refusal(limits.assertAllowed([['tight', key]]))).toMatchObject({ code: 'RATE_LIMITED' });
    await limits.forgive('tight', key);
    expect(await refusal(limits.assertAllowed([['tight', key]]))).toBeNull();
  });

  it('answers a check of several keys with the longest wait among them', async () => {
    const shortRule = new RateLimits(redis, { short: { points: 1, windowSeconds: 5 }, long: { points: 1, windowSeconds: 500 } });
    const key = unique('both');
    await shortRule.count('short', key);
    await shortRule.count('long', key);
    const refused = await refusal(shortRule.assertAllowed([['short', key], ['long', key]]));
    expect(refused!.retryAfterSeconds).toBeGreaterThan(5);
  });
});

describe('RateLimits while Redis is unavailable', () => {
  it('falls back to an in-memory limit of the same allowance at once, instead of failing or letting all through', async () => {
    // Nothing listens on port 1: the client never becomes ready.
    const down = createRedis('redis://127.0.0.1:1', testRedisPrefix);
    down.on('error', () => undefined);
    try {
      const limits = new RateLimits(down, { tight: { points: 2, windowSeconds: 30 } });
      const started = Date.now();
      expect(await refusal(limits.consume('tight', 'a'))).toBeNull();
      expect(await refusal(limits.consume('tight', 'a'))).toBeNull();
      expect(await refusal(limits.consume('tight', 'a'))).toMatchObject({ code: 'RATE_LIMITED' });
      expect(await refusal(limits.consume('tight', 'b'))).toBeNull();
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      down.disconnect();
    }
  });
});

describe('RateLimits when Redis dies', () => {
  it('keeps limiting, in memory and without waiting on the lost connection', async () => {
    const own = await OwnRedisServer.start();
    const client = createRedis(own.url, testRedisPrefix);
    client.on('error', () => undefined);
    try {
      await client.ping();
      const limits = new RateLimits(client, { tight: { points: 2, windowSeconds: 30 } });
      await limits.consume('tight', 'a'); // in Redis
      await own.stop();
      const deadline = Date.now() + 5000;
      while (client.status === 'ready' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const started = Date.now();
      expect(await refusal(limits.consume('tight', 'a'))).toBeNull();
      expect(await refusal(limits.consume('tight', 'a'))).toBeNull();
      expect(await refusal(limits.consume('tight', 'a'))).toMatchObject({ code: 'RATE_LIMITED' });
      expect(Date.now() - started).toBeLessThan(100);
    } finally {
      client.disconnect();
      await own.stop();
    }
  });
});

describe('readRateRules', () => {
  it('reads the defaults, each setting and RATE_LIMIT_MULTIPLIER, which multiplies every allowance and no window', () => {
    expect(readRateRules(new EnvReader({}), ['checkout', 'request'])).toEqual({
      checkout: { points: 10, windowSeconds: 600 },
      request: { points: 600, windowSeconds: 60 },
    });
    const env = new EnvReader({ RATE_LIMIT_MULTIPLIER: '4', CHECKOUT_RATE_LIMIT: '3', CHECKOUT_RATE_WINDOW_SECONDS: '20' });
    expect(readRateRules(env, ['checkout', 'addToCart'])).toEqual({
      checkout: { points: 12, windowSeconds: 20 },
      addToCart: { points: 240, windowSeconds: 60 },
    });
  });

  it('reports a bad setting once, even when two rules share it', () => {
    const env = new EnvReader({ LOGIN_WINDOW_SECONDS: '0', RATE_LIMIT_MULTIPLIER: 'lots' });
    readRateRules(env, ['loginFailuresPerEmail', 'loginFailuresPerAddress']);
    expect(() => env.done()).toThrow(ConfigError);
    try {
      env.done();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'RATE_LIMIT_MULTIPLIER must be an integer >= 1 (got "lots")',
        'LOGIN_WINDOW_SECONDS must be an integer >= 1 (got "0")',
      ]);
    }
  });
});
