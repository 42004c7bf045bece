import { MIGRATED_SUBGRAPHS } from '../migrate';
import { programOf, SERVICES, type K8sObject, type PodSpec } from './objects';

/**
 * What running several replicas safely takes: an autoscaler and a disruption budget for each
 * service, requests and limits on every container, each subgraph's pods waiting for their
 * own database's migrations, and a Job that applies all of them.
 */
export function checkOperations(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  for (const service of SERVICES) {
    const deployment = find('Deployment', service);
    if (!deployment) {
      problems.push(`no Deployment named ${service}`);
      continue;
    }
    const template = (deployment.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } }).template;
    const labels = template.metadata?.labels ?? {};
    const hpa = objects.find(
      (o) => o.kind === 'HorizontalPodAutoscaler' && JSON.stringify((o.spec as { scaleTargetRef?: unknown }).scaleTargetRef) === JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', name: service }),
    );
    if (!hpa) problems.push(`${service}: no HorizontalPodAutoscaler scales its Deployment`);
    else if ((hpa.spec as { minReplicas?: number }).minReplicas === undefined) problems.push(`HorizontalPodAutoscaler/${hpa.metadata.name}: no minReplicas`);
    const pdb = objects.find((o) => {
      if (o.kind !== 'PodDisruptionBudget') return false;
      const match = (o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {};
      return Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels[k] === v);
    });
    if (!pdb) problems.push(`${service}: no PodDisruptionBudget covers its pods`);
    for (const c of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
      const resources = (c as { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }).resources;
      for (const part of ['requests', 'limits'] as const) {
        for (const what of ['cpu', 'memory']) {
          if (!resources?.[part]?.[what]) problems.push(`Deployment/${service} container ${c.name}: no ${what} ${part}`);
        }
      }
    }
    if (service !== 'gateway') {
      const waits = (template.spec.initContainers ?? []).some((c) => {
        const run = programOf(c);
        return run?.program === 'migrate' && run.args[0] === '--wait' && run.args.includes(service);
      });
      if (!waits) problems.push(`Deployment/${service}: no initContainer waits for the ${service} migrations`);
    }
  }
  const job = objects.find((o) => o.kind === 'Job' && (o.spec as { template: { spec: PodSpec } }).template.spec.containers.some((c) => programOf(c)?.program === 'migrate'));
  const args = job ? ((job.spec as { template: { spec: PodSpec } }).template.spec.containers.map((c) => programOf(c)).find((r) => r?.program === 'migrate')?.args ?? []) : [];
  if (!job) problems.push('no Job runs the migrations');
  else if (args.includes('--wait') || (args.length > 0 && MIGRATED_SUBGRAPHS.some((name) => !args.includes(name)))) {
    problems.push(`Job/${job.metadata.name}: does not migrate every subgraph (${args.join(' ')})`);
  }
  return problems;
}
