import type { Redis } from 'ioredis';
import { revocationKeys } from './jwt';
import { knownServerRunId, readServerRunId, runIdOf } from './redis';

/**
 * The revocation list's `complete` mark holds the run id of the Redis server users filled
 * in full. A server restarted empty lacks the mark; a replica promoted by Sentinel has the
 * mark (replicated) but maybe not the last revocations (replication is asynchronous, and
 * a logout during the outage was never pushed). Its run id is its own, so the mark no
 * longer matches: the gateway fails closed until users has pushed the whole list to it.
 */
export async function markRevocationListWhole(redis: Redis): Promise<void> {
  await redis.set(revocationKeys.complete(), await readServerRunId(redis));
}

/** Whether the server this client is on now holds the whole list (one atomic read). */
export async function revocationListIsWhole(redis: Redis): Promise<boolean> {
  const replies = await redis.multi().get(revocationKeys.complete()).info('server').exec();
  if (!replies || replies.some(([err]) => err)) throw new Error('Redis did not answer the revocation mark');
  return replies[0][1] === runIdOf(String(replies[1][1]));
}

/**
 * The mark as read with the keys (MGET) is trusted only if it names the server that answered.
 * Its run id is known from the connection's start; in the moment before that answer came,
 * it is asked for here (a failover in between makes the two differ: fail closed).
 */
export async function revocationMarkIsCurrent(redis: Redis, mark: string | null): Promise<boolean> {
  if (mark === null) return false;
  const runId = knownServerRunId(redis) ?? (await readServerRunId(redis).catch(() => null));
  return mark === runId;
}
