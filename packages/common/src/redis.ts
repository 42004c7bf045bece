import { Redis, type RedisOptions } from 'ioredis';

/**
 * Where Redis is, from `REDIS_URL`: one server (`redis://[:password@]host:port[/db]`), or
 * the Sentinels that know the current primary
 * (`redis+sentinel://[:password@]host:port,host:port,.../<master name>[/db]`). The URL form
 * keeps REDIS_URL the one setting: a deployment moves to Sentinel without any new name.
 */
export type RedisLocation =
  | { kind: 'server'; url: string }
  | { kind: 'sentinel'; sentinels: Array<{ host: string; port: number }>; masterName: string; password?: string; db: number };

const SENTINEL_SCHEME = 'redis+sentinel://';
const DEFAULT_SENTINEL_PORT = 26379;

export function parseRedisUrl(url: string): RedisLocation {
  if (!url.startsWith(SENTINEL_SCHEME)) return { kind: 'server', url };
  const rest = url.slice(SENTINEL_SCHEME.length);
  const at = rest.lastIndexOf('@', rest.indexOf('/') === -1 ? rest.length : rest.indexOf('/'));
  const credentials = at === -1 ? '' : rest.slice(0, at);
  const [hosts, masterName, db = '0'] = rest.slice(at + 1).split('/');
  const sentinels = (hosts ?? '')
    .split(',')
    .filter(Boolean)
    .map((hostPort) => {
      const colon = hostPort.lastIndexOf(':');
      const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
      const port = colon === -1 ? DEFAULT_SENTINEL_PORT : Number(hostPort.slice(colon + 1));
      if (!host || !Number.isInteger(port) || port <= 0) throw new Error(`REDIS_URL: bad Sentinel address "${hostPort}"`);
      return { host, port };
    });
  if (sentinels.length === 0 || !masterName) {
    throw new Error('REDIS_URL: a Sentinel URL names its Sentinels and the master: redis+sentinel://host:port,host:port/<master name>');
  }
  if (!/^\d+$/.test(db)) throw new Error(`REDIS_URL: bad database number "${db}"`);
  const password = credentials.includes(':') ? decodeURIComponent(credentials.slice(credentials.indexOf(':') + 1)) : undefined;
  return { kind: 'sentinel', sentinels, masterName, password: password || undefined, db: Number(db) };
}

/** The addresses a connection may start from: the server, or each Sentinel. */
export function redisEntryPoints(url: string): Array<{ host: string; port: number }> {
  const location = parseRedisUrl(url);
  if (location.kind === 'sentinel') return location.sentinels;
  const parsed = new URL(url);
  return [{ host: parsed.hostname, port: Number(parsed.port || 6379) }];
}

/**
 * A Redis client that fails fast instead of queueing commands forever while Redis is
 * down: a login or token check should answer with an error, not hang. Through Sentinel,
 * a lost connection asks the Sentinels for the primary again, so a promoted replica is
 * found by itself. Not `failoverDetector`: when its switch announcement arrives while the
 * client is still asking the Sentinels, ioredis ends the client for good ("Connection is
 * closed" from then on; seen in the cluster fault suite). A crashed primary drops its
 * connections anyway, and a demoted one answers READONLY (below).
 */
export function createRedis(url: string, keyPrefix = ''): Redis {
  const common: RedisOptions = {
    keyPrefix,
    lazyConnect: false,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    // A client that reached a server just demoted to replica reconnects to the primary.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
  const location = parseRedisUrl(url);
  const client =
    location.kind === 'server'
      ? new Redis(url, common)
      : new Redis({
          ...common,
          sentinels: location.sentinels,
          name: location.masterName,
          password: location.password,
          sentinelPassword: location.password,
          db: location.db,
          sentinelRetryStrategy: (times) => Math.min(times * 200, 2000),
        });
  followServerRunId(client);
  return client;
}

const runIds = new WeakMap<Redis, string | null>();

/**
 * Remembers the `run_id` of the server the client is connected to: it changes with every
 * restart and differs on a promoted replica, which is how the revocation list tells a
 * server it was filled on from one it was not (revocation-list.ts). Unknown (null) while
 * (re)connecting and until the server answered, which the readers treat as "cannot tell".
 */
function followServerRunId(client: Redis): void {
  runIds.set(client, null);
  const forget = () => runIds.set(client, null);
  client.on('close', forget);
  client.on('reconnecting', forget);
  client.on('ready', () => {
    forget();
    readServerRunId(client).then(
      (id) => {
        if (client.status === 'ready') runIds.set(client, id);
      },
      () => undefined,
    );
  });
}

/** The server's run id as last learnt on this connection (null: not known right now). */
export function knownServerRunId(client: Redis): string | null {
  return runIds.get(client) ?? null;
}

export async function readServerRunId(client: Redis): Promise<string> {
  return runIdOf(await client.info('server'));
}

export function runIdOf(info: string): string {
  const match = /^run_id:(\w+)/m.exec(info);
  if (!match) throw new Error('Redis INFO server has no run_id');
  return match[1];
}
