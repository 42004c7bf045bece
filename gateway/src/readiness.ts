import type { SubgraphRoute } from './supergraph-file';

const HEALTH_TIMEOUT_MS = 2000;

/** `http://host:4001/graphql` -> `http://host:4001/health`: every service answers there. */
export function healthUrl(subgraphUrl: string): string {
  return new URL('/health', subgraphUrl).toString();
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(healthUrl(url), { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Throws naming every subgraph whose /health does not answer 200 (names only: no hosts). */
export async function assertSubgraphsHealthy(routes: SubgraphRoute[]): Promise<void> {
  const results = await Promise.all(routes.map(async (route) => ((await answers(route.url)) ? null : route.name)));
  const down = results.filter((name): name is string => name !== null);
  if (down.length > 0) throw new Error(`subgraphs not answering: ${down.join(', ')}`);
}
