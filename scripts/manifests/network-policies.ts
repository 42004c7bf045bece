import { SERVICES, type K8sObject, type ServiceName } from './objects';

/**
 * A subgraph admits the gateway and exactly the services whose settings name it (the code's
 * calls: orders asks catalog for prices, catalog asks users for reviewer names).
 */
export function checkNetworkPolicies(
  objects: K8sObject[],
  seen: Map<ServiceName, { env: Record<string, string>; labels: Record<string, string> }>,
): string[] {
  const problems: string[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  for (const subgraph of SERVICES.filter((s) => s !== 'gateway')) {
    const callers = new Set<string>(['gateway']);
    for (const [service, { env }] of seen) {
      const url = env[`${subgraph.toUpperCase()}_URL`];
      if (service !== 'gateway' && url !== undefined && new URL(url).hostname.split('.')[0] === subgraph) callers.add(service);
    }
    const podLabels = seen.get(subgraph)?.labels ?? {};
    const selecting = policies.filter((p) => {
      const match = ((p.spec as { podSelector?: { matchLabels?: Record<string, string> } }).podSelector?.matchLabels ?? {});
      return Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => podLabels[k] === v);
    });
    if (selecting.length === 0) {
      problems.push(`${subgraph}: no NetworkPolicy admits only its callers (${[...callers].join(', ')})`);
      continue;
    }
    const admitted = new Set<string>();
    for (const policy of selecting) {
      const ingress = ((policy.spec as { ingress?: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[] }).ingress ?? []);
      for (const rule of ingress) {
        if (!rule.from || rule.from.length === 0) admitted.add('*');
        for (const peer of rule.from ?? []) {
          const name = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
          admitted.add(name ?? '*');
        }
      }
    }
    const expected = [...callers].sort().join(', ');
    const actual = [...admitted].sort().join(', ');
    if (expected !== actual) problems.push(`NetworkPolicy for ${subgraph} admits ${actual || 'nobody'}; the code calls it from ${expected}`);
  }
  return problems;
}
