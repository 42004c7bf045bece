import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ManagedProcess, type ProcessHooks } from '../managed-process';

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';
export const SENTINEL_MASTER = 'storegraph';
/** Sentinels call the primary down after this much silence; two of three must agree. */
const DOWN_AFTER_MS = 1000;

export interface RedisPorts {
  primary: number;
  replica: number;
  sentinels: number[];
}

/**
 * Redis as a deployment runs it for failover: a primary, a replica of it, and three
 * Sentinels (redis-server in Sentinel mode, quorum 2). Like the stack's own Redis it keeps
 * nothing on disk; users refills the revocations from its database after a failover.
 */
export class RedisWithSentinels {
  readonly servers: ManagedProcess[];
  readonly sentinels: ManagedProcess[];

  constructor(
    dir: string,
    private readonly ports: RedisPorts,
    hooks: ProcessHooks | undefined,
  ) {
    const server = (name: string, port: number, extra: string[]) =>
      new ManagedProcess(
        name,
        { command: BINARY, args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra] },
        { cwd: dir, env: process.env, readyPort: port, hooks },
      );
    this.servers = [server('redis-a', ports.primary, []), server('redis-b', ports.replica, ['--replicaof', '127.0.0.1', String(ports.primary)])];
    this.sentinels = ports.sentinels.map((port, i) => {
      const sentinelDir = join(dir, `sentinel-${i + 1}`);
      mkdirSync(sentinelDir, { recursive: true });
      // Sentinel rewrites its own file as it learns the topology: one file each.
      const file = join(sentinelDir, 'sentinel.conf');
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${sentinelDir}`,
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${ports.primary} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 10000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
          '',
        ].join('\n'),
      );
      return new ManagedProcess(`sentinel-${i + 1}`, { command: BINARY, args: [file, '--sentinel'] }, { cwd: sentinelDir, env: process.env, readyPort: port, hooks });
    });
  }

  /** REDIS_URL for the services. */
  get url(): string {
    return `redis+sentinel://${this.ports.sentinels.map((port) => `127.0.0.1:${port}`).join(',')}/${SENTINEL_MASTER}`;
  }

  async start(): Promise<void> {
    await this.servers[0].start();
    await this.servers[1].start();
    await Promise.all(this.sentinels.map((sentinel) => sentinel.start()));
    await this.waitUntilFailoverReady(30_000);
  }

  /** The server the Sentinels name as primary now. */
  async primary(): Promise<ManagedProcess> {
    const [, port] = await this.askSentinel((s) => s.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER) as Promise<string[]>);
    const index = Number(port) === this.ports.primary ? 0 : 1;
    return this.servers[index];
  }

  /**
   * Until every Sentinel knows the other two and a replica in sync: only then can they
   * agree on a failover (they learn each other and the replica within a few seconds).
   */
  async waitUntilFailoverReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ready = await Promise.all(
        this.ports.sentinels.map(async (port) => {
          const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
          try {
            await client.connect();
            const master = toRecord((await client.call('SENTINEL', 'master', SENTINEL_MASTER)) as string[]);
            const replicas = ((await client.call('SENTINEL', 'replicas', SENTINEL_MASTER)) as string[][]).map(toRecord);
            return (
              Number(master['num-other-sentinels']) >= this.ports.sentinels.length - 1 &&
              !master.flags.includes('down') &&
              replicas.some((r) => !r.flags.includes('down') && r['master-link-status'] === 'ok')
            );
          } catch {
            return false;
          } finally {
            client.disconnect();
          }
        }),
      );
      if (ready.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`Sentinels not ready for a failover within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.sentinels.map((sentinel) => sentinel.stop()));
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  private async askSentinel<T>(ask: (client: Redis) => Promise<T>): Promise<T> {
    for (const port of this.ports.sentinels) {
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await client.connect();
        return await ask(client);
      } catch {
        // the next Sentinel
      } finally {
        client.disconnect();
      }
    }
    throw new Error('no Sentinel answered');
  }
}

/** Sentinel answers a record as a flat list: name, value, name, value ... */
function toRecord(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]] = flat[i + 1];
  return record;
}
