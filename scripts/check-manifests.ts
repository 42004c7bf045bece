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
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ConfigError, EnvReader } from '@storegraph/common';
import { MIGRATED_SUBGRAPHS, readMigrationSettings } from './migrate';

export const OVERLAYS = ['dev', 'production'] as const;
export const SERVICES = ['gateway', 'users', 'catalog', 'orders', 'payments'] as const;
type ServiceName = (typeof SERVICES)[number];
/** What a container of the Storegraph image runs: a service, or the migration script. */
type Program = ServiceName | 'migrate';

/** Settings that name another part of the deployment: each must reach a Service on a port it serves. */
const ENDPOINT_SETTINGS = /^((USERS|CATALOG|ORDERS|PAYMENTS)_URL|NATS_URL|REDIS_URL|([A-Z]+_)?DATABASE_URL)$/;

/** Runtime names a container may carry that no config reader reads (Node itself reads them). */
const RUNTIME_NAMES = new Set(['NODE_ENV', 'NODE_OPTIONS']);

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

interface Container {
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

interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}

export function repoRoot(): string {
  // scripts/ under ts (jest) and scripts/dist/ compiled: find the folder that has deploy/k8s.
  let dir = __dirname;
  while (!existsSync(join(dir, 'deploy', 'k8s'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('deploy/k8s not found above ' + __dirname);
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

const label = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

// ---------------------------------------------------------------------------------------
// Schemas

interface Model {
  new (data: unknown): { validate(): void };
}

/** kubernetes-models lays its classes out as <apiVersion>/<Kind> (`apps/v1/Deployment`, core as `v1/Service`). */
function modelPath(o: K8sObject): string {
  return `kubernetes-models/${o.apiVersion}/${o.kind}`;
}

function typesFor(o: K8sObject): { module: string; type: string } {
  return { module: modelPath(o), type: `I${o.kind}` };
}

export function validateSchemas(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    let model: Model;
    try {
      model = (require(modelPath(o)) as Record<string, Model>)[o.kind];
      if (!model) throw new Error('no model');
    } catch {
      problems.push(`${label(o)}: no Kubernetes schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new model(o).validate();
    } catch (err) {
      problems.push(`${label(o)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return problems.concat(unknownFields(objects));
}

/**
 * Fields the schema does not know, found by TypeScript: each object becomes an object literal
 * typed with its kubernetes-models interface, and only the excess-property errors are kept
 * (types and required fields are the validators' part above).
 */
function unknownFields(objects: K8sObject[]): string[] {
  // Loaded here only: the rest of the check needs no compiler.
  const ts = require('typescript') as typeof import('typescript');
  const known = objects.filter((o) => {
    try {
      require.resolve(modelPath(o));
      return true;
    } catch {
      return false;
    }
  });
  const lines: string[] = [];
  const owner: number[] = [];
  known.forEach((o, i) => {
    const { module, type } = typesFor(o);
    lines.push(`import type { ${type} as T${i} } from '${module}';`);
    owner.push(-1);
  });
  known.forEach((o, i) => {
    const json = JSON.stringify(o, null, 1).split('\n');
    json.forEach((line, j) => {
      lines.push(j === 0 ? `export const o${i}: T${i} = ${line}` : line);
      owner.push(i);
    });
    lines.push(';');
    owner.push(i);
  });
  const root = repoRoot();
  const fileName = join(root, 'deploy', 'k8s', '__manifests__.ts');
  const source = lines.join('\n');
  const options: import('typescript').CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    resolve(name) === fileName ? ts.createSourceFile(name, source, version) : read(name, version, ...rest);
  host.fileExists = ((exists) => (name: string) => resolve(name) === fileName || exists(name))(host.fileExists.bind(host));
  const program = ts.createProgram([fileName], options, host);
  const problems: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (diagnostic.file && resolve(diagnostic.file.fileName) !== fileName) continue;
    // 2353: "Object literal may only specify known properties"; 2561: the same with "Did you mean".
    if (diagnostic.code !== 2353 && diagnostic.code !== 2561) continue;
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const o = owner[line] !== undefined && owner[line] >= 0 ? known[owner[line]] : undefined;
    // The literal is JSON, so the field's name arrives quoted: '"readinesProbe"'.
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/'"([^"]*)"'/g, "'$1'");
    problems.push(`${o ? label(o) : 'manifest'}: unknown field: ${message}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Agreement with the code and docker-compose.yml

interface ConfigReading {
  /** Every environment name the reader looked at. */
  read: Set<string>;
  /** The reader's verdict on the environment: null when it accepted it. */
  refused: string[] | null;
  port?: number;
  /** Development key material would be generated inside the pod (KEYS_DIR). */
  generatesKeys: boolean;
}

type Reader = (env: NodeJS.ProcessEnv) => { port?: number };

function serviceReader(program: Program, args: string[]): Reader {
  if (program === 'migrate') {
    const names = args.filter((a) => a !== '--wait');
    return (env) => {
      readMigrationSettings(new EnvReader(env), names.length > 0 ? names : MIGRATED_SUBGRAPHS);
      return {};
    };
  }
  const mod = require(`@storegraph/${program}`) as { readConfig: (env: unknown) => { port?: number } };
  // The gateway's readConfig takes the environment itself, the subgraphs' an EnvReader.
  return program === 'gateway' ? (env) => mod.readConfig(env) : (env) => mod.readConfig(new EnvReader(env));
}

/** Names read straight from process.env somewhere in the shared package (the logger's LOG_LEVEL). */
function processEnvNames(rootDir: string): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]);
      }
    }
  };
  walk(join(rootDir, 'packages', 'common', 'src'));
  return names;
}

/** Runs a service's config reader on `env`, recording what it reads. */
export function readWith(program: Program, args: string[], env: Record<string, string>, extraRead: Set<string>): ConfigReading {
  const read = new Set<string>(extraRead);
  const keysDir = env.KEYS_DIR ? undefined : mkdtempSync(join(tmpdir(), 'sg-check-keys-'));
  const given = keysDir ? { ...env, KEYS_DIR: keysDir } : env;
  const recorder = new Proxy(given, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  let refused: string[] | null = null;
  let port: number | undefined;
  try {
    port = serviceReader(program, args)(recorder).port;
  } catch (err) {
    refused = err instanceof ConfigError ? err.problems : [err instanceof Error ? err.message : String(err)];
  }
  const generatesKeys = keysDir !== undefined && readdirSync(keysDir).length > 0;
  if (keysDir) rmSync(keysDir, { recursive: true, force: true });
  if (keysDir) read.delete('KEYS_DIR');
  return { read, refused, port, generatesKeys };
}

/** Stand-ins for secrets the production overlay expects from outside: valid, and never development ones. */
function outsideSecrets(): Record<string, string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    DATABASE_URL: 'postgres://storegraph:secret@postgres-primary:5432',
    GATEWAY_SECRET: randomBytes(32).toString('hex'),
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    SMTP_URL: 'smtp://mail.example.com:587',
    ADMIN_PASSWORD: 'a-long-admin-password',
  };
}

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] | string };
}

function readCompose(rootDir: string): Record<string, ComposeService> {
  const doc = parseYaml(readFileSync(join(rootDir, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  return doc.services;
}

function imageName(image: string): string {
  // registry:port/name:tag -> registry:port/name
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(0, colon) : image;
}

/** The program a Storegraph container runs, from its command. */
function programOf(container: Container): { program: Program; script: string; args: string[] } | null {
  const [node, script, ...args] = container.command ?? [];
  if (node !== 'node' || !script) return null;
  if (script === 'scripts/dist/migrate.js') return { program: 'migrate', script, args };
  const service = SERVICES.find((s) => script === (s === 'gateway' ? 'gateway/dist/main.js' : `subgraphs/${s}/dist/main.js`));
  return service ? { program: service, script, args } : null;
}

function podSpecs(objects: K8sObject[]): { owner: K8sObject; spec: PodSpec }[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind))
    .map((o) => ({ owner: o, spec: (o.spec as { template: { spec: PodSpec } }).template.spec }));
}

interface ServiceObject {
  name: string;
  selector: Record<string, string>;
  ports: { port: number; targetPort?: number | string }[];
}

/**
 * Everything the manifests must agree on with the code and docker-compose.yml, for one
 * rendered overlay. `base` is the base rendered alone (its image name is compose's).
 */
export function checkAgreement(rootDir: string, overlay: string, objects: K8sObject[], base?: K8sObject[]): string[] {
  const problems: string[] = [];
  const compose = readCompose(rootDir);
  const extraRead = processEnvNames(rootDir);
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, (o.data ?? {}) as Record<string, string>]),
  );
  const secrets = new Map(
    objects
      .filter((o) => o.kind === 'Secret')
      .map((o) => {
        const data = Object.fromEntries(
          Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        );
        return [o.metadata.name, { ...data, ...((o.stringData ?? {}) as Record<string, string>) }];
      }),
  );
  // The base's placeholder Secret names every key a deployment must provide.
  const placeholderKeys = new Set(
    Object.keys(((base ?? objects).find((o) => o.kind === 'Secret' && o.metadata.name === 'storegraph-secrets')?.stringData ?? {}) as object),
  );
  const stand = outsideSecrets();
  const services: ServiceObject[] = objects
    .filter((o) => o.kind === 'Service')
    .map((o) => {
      const spec = o.spec as { selector?: Record<string, string>; ports: ServiceObject['ports'] };
      return { name: o.metadata.name, selector: spec.selector ?? {}, ports: spec.ports };
    });
  const images = new Set<string>();
  const others: { where: string; image: string }[] = [];
  const seen = new Map<ServiceName, { reading: ConfigReading; env: Record<string, string>; labels: Record<string, string> }>();

  for (const { owner, spec } of podSpecs(objects)) {
    const podLabels = ((owner.spec as { template: { metadata?: { labels?: Record<string, string> } } }).template.metadata?.labels ?? {});
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
      const run = programOf(container);
      const where = `${label(owner)} container ${container.name}`;
      if (!run) {
        others.push({ where, image: container.image });
        continue;
      }
      images.add(container.image);
      // tsc builds <package>/src/x.ts into <package>/dist/x.js, and scripts/x.ts into scripts/dist/x.js.
      const sources = [run.script.replace('/dist/', '/src/'), run.script.replace('/dist/', '/')].map((p) => p.replace(/\.js$/, '.ts'));
      if (!sources.some((source) => existsSync(join(rootDir, source)))) problems.push(`${where}: no source of ${run.script} (${sources.join(' or ')})`);

      // The environment the container gets, and what each name's value is.
      const env: Record<string, string> = {};
      /** Names the container sets or refers to, optional Secret keys included. */
      const referenced = new Set<string>();
      for (const from of container.envFrom ?? []) {
        if (from.secretRef) problems.push(`${where}: takes a whole Secret (${from.secretRef.name}); name each key it needs instead`);
        if (!from.configMapRef) continue;
        const data = configMaps.get(from.configMapRef.name);
        if (!data) {
          if (!from.configMapRef.optional) problems.push(`${where}: ConfigMap ${from.configMapRef.name} does not exist`);
          continue;
        }
        Object.assign(env, data);
        for (const key of Object.keys(data)) referenced.add(key);
      }
      for (const variable of container.env ?? []) {
        referenced.add(variable.name);
        const ref = variable.valueFrom;
        if (variable.value !== undefined) env[variable.name] = variable.value;
        else if (ref?.configMapKeyRef) {
          const value = configMaps.get(ref.configMapKeyRef.name)?.[ref.configMapKeyRef.key];
          if (value === undefined) problems.push(`${where}: ${variable.name} refers to ConfigMap ${ref.configMapKeyRef.name} key ${ref.configMapKeyRef.key}, which does not exist`);
          else env[variable.name] = value;
        } else if (ref?.secretKeyRef) {
          const { name, key, optional } = ref.secretKeyRef;
          const secret = secrets.get(name);
          if (!placeholderKeys.has(key) && !optional) problems.push(`${where}: ${variable.name} needs Secret key ${key}, which the base's placeholder Secret does not list`);
          if (secret) {
            if (secret[key] !== undefined) env[variable.name] = secret[key];
            else if (!optional) problems.push(`${where}: Secret ${name} has no key ${key}`);
          } else if (optional) {
            // An optional key from outside may be absent: read the environment without it.
          } else if (stand[key] !== undefined) env[variable.name] = stand[key];
          else problems.push(`${where}: no stand-in for the outside Secret key ${key}`);
        }
      }

      const reading = readWith(run.program, run.args, env, extraRead);
      for (const name of Object.keys(env)) {
        if (!reading.read.has(name) && !RUNTIME_NAMES.has(name)) problems.push(`${where}: sets ${name}, which ${run.program} never reads`);
      }
      if (reading.refused) problems.push(`${where}: ${run.program} refuses this environment: ${reading.refused.join('; ')}`);
      if (reading.generatesKeys) {
        problems.push(`${where}: in development ${run.program} would generate its own keys; give it JWT_PRIVATE_KEY, JWT_PUBLIC_KEY and GATEWAY_SECRET`);
      }
      if (run.program === 'migrate' || reading.refused) continue;
      const service = run.program;
      seen.set(service, { reading, env, labels: podLabels });

      // The command compose runs for the service, and its health check's port and path.
      const composed = compose[service];
      if (!composed) problems.push(`docker-compose.yml has no service ${service}`);
      else {
        if (JSON.stringify(composed.command) !== JSON.stringify(container.command)) {
          problems.push(`${where}: command ${JSON.stringify(container.command)} differs from docker-compose.yml's ${JSON.stringify(composed.command)}`);
        }
        const test = [composed.healthcheck?.test ?? []].flat().join(' ');
        const probe = container.readinessProbe?.httpGet;
        if (reading.port !== undefined && !test.includes(`:${reading.port}${probe?.path ?? '/ready'}`)) {
          problems.push(`${where}: docker-compose.yml's health check (${test}) does not ask :${reading.port}${probe?.path}`);
        }
        for (const name of Object.keys(composed.environment ?? {})) {
          // Secrets go only where they are needed; everything else compose gives a service, it gets here too.
          if (reading.read.has(name) && !referenced.has(name) && !placeholderKeys.has(name)) {
            problems.push(`${where}: docker-compose.yml sets ${name} for ${service}, the manifests do not`);
          }
        }
      }

      // Ports and probes: the port the service listens on with this environment.
      const http = container.ports?.find((p) => p.name === 'http');
      if (!http) problems.push(`${where}: no container port named http`);
      else if (reading.port !== undefined && http.containerPort !== reading.port) {
        problems.push(`${where}: container port ${http.containerPort}, but ${service} listens on ${reading.port}`);
      }
      const probes = { readinessProbe: '/ready', livenessProbe: '/health' } as const;
      for (const [kind, path] of Object.entries(probes)) {
        const get = container[kind as keyof typeof probes]?.httpGet;
        if (!get) problems.push(`${where}: no ${kind} over HTTP`);
        else {
          if (get.path !== path) problems.push(`${where}: ${kind} asks ${get.path}, the service answers ${path}`);
          if (get.port !== 'http' && get.port !== http?.containerPort) problems.push(`${where}: ${kind} port ${get.port} is not the service's`);
        }
      }
      const service_ = services.find((s) => s.name === service);
      if (!service_) problems.push(`${where}: no Service named ${service}`);
      else {
        const selects = Object.entries(service_.selector).every(([k, v]) => podLabels[k] === v);
        if (!selects) problems.push(`Service/${service}: does not select the ${service} pods`);
        if (!service_.ports.some((p) => p.port === reading.port && (p.targetPort === 'http' || p.targetPort === reading.port))) {
          problems.push(`Service/${service}: no port ${reading.port} to the pods' http port`);
        }
      }
    }
  }

  // One image for every Storegraph program (the Dockerfile builds one); in the base it is compose's.
  for (const other of others) if (images.has(other.image)) problems.push(`${other.where}: runs the Storegraph image but no known program`);
  // PostgreSQL, NATS and Redis: the same release as docker-compose.yml runs, so both are tried on one.
  const composeImages = new Map(Object.values(compose).flatMap((c) => (c.image ? [[imageName(c.image), c.image] as const] : [])));
  for (const other of others) {
    const same = composeImages.get(imageName(other.image));
    if (same !== undefined && same !== other.image) problems.push(`${other.where}: image ${other.image}, docker-compose.yml runs ${same}`);
  }
  if (images.size !== 1) problems.push(`the Storegraph containers use ${images.size} images: ${[...images].join(', ')}`);
  const composeImage = compose.gateway?.image;
  if (base && composeImage) {
    const baseImages = new Set(podSpecs(base).flatMap(({ spec }) => [...(spec.initContainers ?? []), ...spec.containers].filter((c) => programOf(c)).map((c) => imageName(c.image))));
    if (baseImages.size !== 1 || !baseImages.has(imageName(composeImage))) {
      problems.push(`the base's image (${[...baseImages].join(', ')}) is not docker-compose.yml's ${imageName(composeImage)}`);
    }
  }
  for (const service of SERVICES) if (!seen.has(service)) problems.push(`no container runs ${service}`);
  problems.push(...checkOperations(objects));

  // URLs a service is given must reach a Service on a port it has.
  for (const [service, { env }] of seen) {
    for (const [name, value] of Object.entries(env)) {
      if (!ENDPOINT_SETTINGS.test(name) || !URL.canParse(value)) continue;
      const url = new URL(value);
      const host = url.hostname.split('.')[0];
      const target = services.find((s) => s.name === host);
      if (!target) {
        // DATABASE_URL names a server outside the cluster in production.
        if (!/DATABASE_URL$/.test(name)) problems.push(`${service}: ${name} names ${url.hostname}, which is no Service here`);
        continue;
      }
      const port = Number(url.port || { 'http:': 80, 'nats:': 4222, 'redis:': 6379, 'postgres:': 5432 }[url.protocol]);
      if (!target.ports.some((p) => p.port === port)) problems.push(`${service}: ${name} asks ${target.name} on port ${port}, which it does not serve`);
      const subgraph = SERVICES.find((s) => s === target.name);
      const listens = subgraph ? seen.get(subgraph)?.reading.port : undefined;
      if (subgraph && listens !== undefined && port !== listens) problems.push(`${service}: ${name} asks port ${port}, ${subgraph} listens on ${listens}`);
    }
  }

  // NetworkPolicies: a subgraph admits the gateway and exactly the services whose code calls it.
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
  return problems.map((p) => `${overlay}: ${p}`);
}

/**
 * What running several replicas safely takes: an autoscaler and a disruption budget for each
 * service, requests and limits on every container, each subgraph's pods waiting for their
 * own database's migrations, and a Job that applies all of them.
 */
function checkOperations(objects: K8sObject[]): string[] {
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
