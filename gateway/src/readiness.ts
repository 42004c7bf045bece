import type { SubgraphRoute } from './supergraph-file';

const READY_TIMEOUT_MS = 2000;

/** `http://host:4001/graphql` -> `http://host:4001/ready`: a subgraph answers 200 there once its database and NATS answer. */
export function readyUrl(subgraphUrl: string): string {
  return new URL('/ready', subgraphUrl).toString();
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(readyUrl(url), { signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Throws naming every subgraph whose /ready does not answer 200 (names only: no hosts).
 * /ready, not /health: a subgraph whose database is down is alive but cannot serve, and
 * neither can a gateway in front of it.
 */
export async function assertSubgraphsReady(routes: SubgraphRoute[]): Promise<void> {
  const results = await Promise.all(routes.map(async (route) => ((await ready(route.url)) ? null : route.name)));
  const down = results.filter((name): name is string => name !== null);
  if (down.length > 0) throw new Error(`subgraphs not ready: ${down.join(', ')}`);
}
