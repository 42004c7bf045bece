/**
 * The rendered manifests as plain objects, and what the checks ask of them: which pods run
 * which Storegraph program. Rendering is `kubectl kustomize` (kubectl carries kustomize).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const SERVICES = ['gateway', 'users', 'catalog', 'orders', 'payments'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** What a container of the Storegraph image runs: a service, or the migration script. */
export type Program = ServiceName | 'migrate';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }[];
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}

export function repoRoot(): string {
  // scripts/ under ts (jest) and scripts/dist/ compiled: find the folder that has deploy/k8s.
  let dir = __dirname;
  while (!existsSync(join(dir, 'deploy', 'k8s'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`deploy/k8s not found above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** `kubectl kustomize` (kubectl carries kustomize) of one folder under deploy/k8s. */
export function render(rootDir: string, folder: string): K8sObject[] {
  let text: string;
  try {
    text = execFileSync('kubectl', ['kustomize', join(rootDir, 'deploy', 'k8s', folder)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not installed (it renders the Kustomize overlays): apt-get install kubectl');
    throw new Error(`kubectl kustomize ${folder} failed: ${e.stderr ?? e.message}`);
  }
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null)
    .map(unwrapSecretData);
}

/**
 * kustomize wraps long base64 values of a Secret's data over several lines; the API server
 * decodes them with the line breaks ignored, the schema's "byte" format does not.
 */
function unwrapSecretData(o: K8sObject): K8sObject {
  if (o.kind !== 'Secret' || !o.data) return o;
  const data = Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s+/g, '')]));
  return { ...o, data };
}

export const label = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

export function imageName(image: string): string {
  // registry:port/name:tag -> registry:port/name
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(0, colon) : image;
}

/** The program a Storegraph container runs, from its command. */
export function programOf(container: Container): { program: Program; script: string; args: string[] } | null {
  const [node, script, ...args] = container.command ?? [];
  if (node !== 'node' || !script) return null;
  if (script === 'scripts/dist/migrate.js') return { program: 'migrate', script, args };
  const service = SERVICES.find((s) => script === (s === 'gateway' ? 'gateway/dist/main.js' : `subgraphs/${s}/dist/main.js`));
  return service ? { program: service, script, args } : null;
}

export function podSpecs(objects: K8sObject[]): { owner: K8sObject; spec: PodSpec }[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind))
    .map((o) => ({ owner: o, spec: (o.spec as { template: { spec: PodSpec } }).template.spec }));
}
