import { Redis } from 'ioredis';

/**
 * A Redis client that fails fast instead of queueing commands forever while Redis is
 * down: a login or token check should answer with an error, not hang.
 */
export function createRedis(url: string, keyPrefix = ''): Redis {
  return new Redis(url, {
    keyPrefix,
    lazyConnect: false,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}
