import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { freeTcpPort, testRedisPrefix } from '../../src/testing';
import { RedisWithSentinels } from '../../../../scripts/cluster/redis-sentinel';
import { createRedis, knownServerRunId, markRevocationListWhole, revocationListIsWhole } from '../../src';

/** Sentinels call the primary down after 1 s; agreeing and promoting takes a few more. */
const FAILOVER_BOUND_MS = 20_000;

/**
 * Real Sentinels (redis-server in Sentinel mode) over a primary and its replica of the
 * test's own: a client made from a redis+sentinel:// URL finds the primary, finds the
 * promoted replica by itself after the primary is SIGKILLed, and the revocation mark
 * written on the old primary is not taken as valid on the new one.
 */
describe('Redis through Sentinel', () => {
  let dir: string;
  let redisSet: RedisWithSentinels;
  let client: Redis;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'storegraph-sentinel-'));
    redisSet = new RedisWithSentinels(dir, { primary: await freeTcpPort(), replica: await freeTcpPort(), sentinels: [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()] }, undefined);
    await redisSet.start();
    client = createRedis(redisSet.url, testRedisPrefix);
    // The connection errors while the primary is down are expected here.
    client.on('error', () => undefined);
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await redisSet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps working after the primary is SIGKILLed, on the replica Sentinel promotes, within the bound', async () => {
    await client.set('k', 'before');
    await markRevocationListWhole(client);
    expect(await revocationListIsWhole(client)).toBe(true);
    const runIdBefore = knownServerRunId(client);
    expect(runIdBefore).toMatch(/^\w{40}$/);
    // The write has reached the replica before the crash (replication is asynchronous).
    await client.wait(1, 5000);

    const primary = await redisSet.primary();
    expect(primary).toBe(redisSet.servers[0]);
    const killedAt = Date.now();
    await primary.kill();

    let recoveredMs = -1;
    while (Date.now() - killedAt < FAILOVER_BOUND_MS) {
      try {
        await client.set('k', 'after');
        recoveredMs = Date.now() - killedAt;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(recoveredMs).toBeGreaterThan(0);
    process.stdout.write(`[sentinel] writes work again ${recoveredMs} ms after the primary's SIGKILL\n`);
    expect(await redisSet.primary()).toBe(redisSet.servers[1]);
    expect(await client.get('k')).toBe('after');
    // The promoted replica has the mark (replicated) but is another server: not trusted.
    expect(knownServerRunId(client)).not.toBe(runIdBefore);
    expect(await revocationListIsWhole(client)).toBe(false);
    await markRevocationListWhole(client);
    expect(await revocationListIsWhole(client)).toBe(true);
  }, FAILOVER_BOUND_MS + 30_000);
});
