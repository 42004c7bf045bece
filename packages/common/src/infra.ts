import { connect } from 'node:net';
import { redisEntryPoints } from './redis';

export interface Dependency {
  name: string;
  url: string;
  /** How to start it on a developer machine when it does not answer. */
  hint: string;
}

/** A server URL with any password left out, for logs and error messages (works for lists too). */
export function withoutPassword(url: string): string {
  return url.replace(/\/\/([^:@/,]*):[^@/]*@/g, '//$1@');
}

const DEFAULT_PORTS: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379, 'rediss:': 6379, 'nats:': 4222 };

/**
 * The host and port of each server a URL names: one, or several for a NATS cluster
 * (`nats://a:4222,nats://b:4222`) or Redis through Sentinel (`redis+sentinel://a:26379,b:26379/name`).
 */
export function addressesOf(url: string): Array<{ host: string; port: number }> {
  if (url.startsWith('redis+sentinel:')) return redisEntryPoints(url);
  return url.split(',').map((one) => {
    const parsed = new URL(one.trim());
    return { host: parsed.hostname, port: Number(parsed.port || DEFAULT_PORTS[parsed.protocol] || 0) };
  });
}

function probeOne(address: { host: string; port: number }, timeoutMs: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(address);
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Answers when any of the URL's servers accepts a connection (a cluster works with one of them). */
async function probe(url: string, timeoutMs: number): Promise<boolean> {
  const answers = await Promise.all(addressesOf(url).map((address) => probeOne(address, timeoutMs)));
  return answers.includes(true);
}

/** Returns one line per dependency that does not answer, naming it and how to start it. */
export async function unreachable(deps: Dependency[], timeoutMs = 2000): Promise<string[]> {
  const results = await Promise.all(deps.map(async (dep) => ((await probe(dep.url, timeoutMs)) ? null : dep)));
  return results
    .filter((dep): dep is Dependency => dep !== null)
    .map((dep) => `${dep.name} does not answer at ${dep.url}. Start it: ${dep.hint}`);
}
