/**
 * The manifests against the code and docker-compose.yml, for one rendered overlay: each
 * container runs a program the image has, gets only settings its service reads and
 * accepts, listens where its Service and probes point, and gets what compose gives it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseRedisUrl, redisEntryPoints } from '@storegraph/common';
import { checkNetworkPolicies } from './network-policies';
import { imageName, label, podSpecs, programOf, SERVICES, type Container, type K8sObject, type ServiceName } from './objects';
import { checkOperations } from './operations';
import { outsideSecrets, processEnvNames, readWith, type ConfigReading } from './service-env';

/** Settings that name another part of the deployment: each must reach a Service on a port it serves. */
const ENDPOINT_SETTINGS = /^((USERS|CATALOG|ORDERS|PAYMENTS)_URL|NATS_URL|REDIS_URL|([A-Z]+_)?DATABASE_URL)$/;

/** Runtime names a container may carry that no config reader reads (Node itself reads them). */
const RUNTIME_NAMES = new Set(['NODE_ENV', 'NODE_OPTIONS']);

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
      if (name === 'REDIS_URL' && parseRedisUrl(value).kind === 'sentinel') {
        problems.push(...sentinelProblems(service, value, services));
        continue;
      }
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

  problems.push(...checkNetworkPolicies(objects, seen));
  return problems.map((p) => `${overlay}: ${p}`);
}

/**
 * Each Sentinel a `redis+sentinel://` REDIS_URL names must be a pod of a headless Service
 * (`<pod>.<service>`) or a Service, serving that port.
 */
function sentinelProblems(service: string, value: string, services: ServiceObject[]): string[] {
  return redisEntryPoints(value).flatMap(({ host, port }) => {
    const [first, second] = host.split('.');
    const target = services.find((s) => s.name === first) ?? services.find((s) => s.name === second);
    if (!target) return [`${service}: REDIS_URL names the Sentinel ${host}, which is no Service or pod of one here`];
    if (!target.ports.some((p) => p.port === port)) return [`${service}: REDIS_URL asks ${target.name} on port ${port}, which it does not serve`];
    return [];
  });
}
