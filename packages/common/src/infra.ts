import { connect } from 'node:net';

export interface Dependency {
  name: string;
  url: string;
  /** How to start it on a developer machine when it does not answer. */
  hint: string;
}

function probe(url: string, timeoutMs: number): Promise<boolean> {
  const parsed = new URL(url);
  const defaults: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379, 'nats:': 4222 };
  const port = Number(parsed.port || defaults[parsed.protocol] || 0);
  return new Promise((resolvePromise) => {
    const socket = connect({ host: parsed.hostname, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Returns one line per dependency that does not answer, naming it and how to start it. */
export async function unreachable(deps: Dependency[], timeoutMs = 2000): Promise<string[]> {
  const results = await Promise.all(deps.map(async (dep) => ((await probe(dep.url, timeoutMs)) ? null : dep)));
  return results
    .filter((dep): dep is Dependency => dep !== null)
    .map((dep) => `${dep.name} does not answer at ${dep.url}. Start it: ${dep.hint}`);
}
