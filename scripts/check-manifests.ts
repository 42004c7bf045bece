/**
 * `npm run check:manifests`: renders both Kustomize overlays of deploy/k8s, validates every
 * object against the Kubernetes OpenAPI schemas offline, and holds the manifests to the code
 * and to docker-compose.yml. Exits 1 naming every problem.
 *
 * Schemas: kubernetes-models' validators (types, required fields, enums) plus TypeScript's
 * excess-property check against the same models' declarations, which those validators do
 * not make (an unknown field such as `readinesProbe` would otherwise be dropped silently by
 * the API server). Agreement: what each service's own config reader reads is recorded while
 * it reads the environment a container would get, so the names come from the code itself.
 */
import { checkAgreement } from './manifests/agreement';
import { render, repoRoot, type K8sObject } from './manifests/objects';
import { validateSchemas } from './manifests/schemas';

export { checkAgreement } from './manifests/agreement';
export { render, repoRoot, type K8sObject } from './manifests/objects';
export { validateSchemas } from './manifests/schemas';

export const OVERLAYS = ['dev', 'production'] as const;

export interface OverlayReport {
  overlay: string;
  objects: number;
  problems: string[];
}

export function checkOverlay(rootDir: string, overlay: string, base: K8sObject[]): OverlayReport {
  const objects = render(rootDir, `overlays/${overlay}`);
  const problems = [
    ...validateSchemas(objects).map((p) => `${overlay}: ${p}`),
    ...checkAgreement(rootDir, overlay, objects, base),
  ];
  return { overlay, objects: objects.length, problems };
}

function main(): number {
  const rootDir = repoRoot();
  const base = render(rootDir, 'base');
  let failed = 0;
  for (const overlay of OVERLAYS) {
    const report = checkOverlay(rootDir, overlay, base);
    if (report.problems.length === 0) {
      console.log(`${overlay}: ${report.objects} objects valid against the Kubernetes schemas and agreeing with the code and docker-compose.yml`);
    } else {
      failed += report.problems.length;
      for (const problem of report.problems) console.error(problem);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main());
