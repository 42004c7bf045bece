/**
 * The Kubernetes manifests (deploy/k8s) against the schemas, the code and docker-compose.yml:
 * both overlays pass, and each kind of drift the check exists for is caught. Needs kubectl
 * (it renders the overlays with its built-in kustomize); no cluster.
 */
import { checkAgreement, render, repoRoot, validateSchemas, type K8sObject } from '../../scripts/check-manifests';

const root = repoRoot();
let base: K8sObject[];
let production: K8sObject[];
let dev: K8sObject[];

beforeAll(() => {
  base = render(root, 'base');
  production = render(root, 'overlays/production');
  dev = render(root, 'overlays/dev');
}, 60_000);

type Mutable = K8sObject & Record<string, any>;

/** A deep copy of the rendered overlay with one object changed. */
function changed(objects: K8sObject[], kind: string, name: string, change: (o: Mutable) => void): K8sObject[] {
  const copy = structuredClone(objects) as Mutable[];
  const target = copy.find((o) => o.kind === kind && o.metadata.name === name);
  if (!target) throw new Error(`no ${kind}/${name}`);
  change(target);
  return copy;
}

const container = (o: Mutable, name = o.metadata.name) =>
  (o.spec.template.spec.containers as Record<string, any>[]).find((c) => c.name === name)!;

describe('deploy/k8s', () => {
  it('renders both overlays into valid objects that agree with the code and docker-compose.yml', () => {
    for (const [overlay, objects] of [['production', production], ['dev', dev]] as const) {
      expect(validateSchemas(objects)).toEqual([]);
      expect(checkAgreement(root, overlay, objects, base)).toEqual([]);
    }
    const kinds = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
    expect(kinds(production, 'HorizontalPodAutoscaler')).toEqual(['catalog', 'gateway', 'orders', 'payments', 'users']);
    expect(kinds(production, 'StatefulSet')).toEqual(['nats', 'redis']);
    expect(kinds(production, 'Job')).toEqual(['migrate']);
    // Production brings no secret of its own: it expects storegraph-secrets from outside.
    expect(kinds(production, 'Secret')).toEqual([]);
    expect(kinds(dev, 'Secret')).toEqual(['storegraph-secrets']);
  }, 120_000);

  it('finds a field the schema does not know, and a value of the wrong type', () => {
    const typo = changed(production, 'Deployment', 'orders', (o) => {
      const c = container(o);
      c.readinesProbe = c.readinessProbe;
    });
    expect(validateSchemas(typo)).toEqual([expect.stringMatching(/Deployment\/orders: unknown field: .*'readinesProbe'/)]);
    const wrongType = changed(production, 'Deployment', 'orders', (o) => {
      container(o).ports[0].containerPort = '4003';
    });
    expect(validateSchemas(wrongType)).toEqual([expect.stringMatching(/Deployment\/orders: .*containerPort must be integer/)]);
  }, 120_000);

  it('finds a setting the service does not read, and one compose gives that the manifests lost', () => {
    const renamed = changed(production, 'ConfigMap', 'orders-config', (o) => {
      o.data.CATALOG_ADDRESS = o.data.CATALOG_URL;
      delete o.data.CATALOG_URL;
    });
    const problems = checkAgreement(root, 'production', renamed, base);
    expect(problems).toContain('production: Deployment/orders container orders: sets CATALOG_ADDRESS, which orders never reads');
    expect(problems).toContain('production: Deployment/orders container orders: docker-compose.yml sets CATALOG_URL for orders, the manifests do not');
    // orders no longer names catalog: the policy that admits orders no longer matches the code.
    expect(problems).toContain('production: NetworkPolicy for catalog admits gateway, orders, users; the code calls it from gateway, users');
  });

  it('finds a setting a service refuses, and a subgraph URL to the wrong port', () => {
    const bad = changed(production, 'ConfigMap', 'storegraph-subgraphs', (o) => {
      o.data.NATS_STREAM_REPLICAS = '0';
    });
    expect(checkAgreement(root, 'production', bad, base)).toContain(
      'production: Deployment/catalog container catalog: catalog refuses this environment: NATS_STREAM_REPLICAS must be an integer >= 1 (got "0")',
    );
    const wrongPort = changed(production, 'ConfigMap', 'gateway-config', (o) => {
      o.data.PAYMENTS_URL = 'http://payments:4005/graphql';
    });
    expect(checkAgreement(root, 'production', wrongPort, base)).toEqual([
      'production: gateway: PAYMENTS_URL asks payments on port 4005, which it does not serve',
      'production: gateway: PAYMENTS_URL asks port 4005, payments listens on 4004',
    ]);
  });

  it('finds ports, probes and images that disagree with the code', () => {
    const port = changed(production, 'Deployment', 'catalog', (o) => {
      container(o).ports[0].containerPort = 4005;
    });
    expect(checkAgreement(root, 'production', port, base)).toContain(
      'production: Deployment/catalog container catalog: container port 4005, but catalog listens on 4002',
    );
    const probe = changed(production, 'Deployment', 'payments', (o) => {
      container(o).readinessProbe.httpGet.path = '/readyz';
    });
    expect(checkAgreement(root, 'production', probe, base)).toEqual(
      expect.arrayContaining(['production: Deployment/payments container payments: readinessProbe asks /readyz, the service answers /ready']),
    );
    const image = changed(production, 'Deployment', 'gateway', (o) => {
      container(o).image = 'registry.example.com/storegraph:0.0.9';
    });
    expect(checkAgreement(root, 'production', image, base)).toEqual([
      'production: the Storegraph containers use 2 images: registry.example.com/storegraph:0.1.0, registry.example.com/storegraph:0.0.9',
    ]);
    const nats = changed(production, 'StatefulSet', 'nats', (o) => {
      container(o).image = 'nats:2.9-alpine';
    });
    expect(checkAgreement(root, 'production', nats, base)).toEqual([
      'production: StatefulSet/nats container nats: image nats:2.9-alpine, docker-compose.yml runs nats:2.10-alpine',
    ]);
  });

  it('finds a subgraph that admits a caller its code does not have, or shuts out one it has', () => {
    const closed = changed(production, 'NetworkPolicy', 'catalog', (o) => {
      o.spec.ingress[0].from = o.spec.ingress[0].from.slice(0, 1);
    });
    expect(checkAgreement(root, 'production', closed, base)).toEqual([
      'production: NetworkPolicy for catalog admits gateway; the code calls it from gateway, orders, users',
    ]);
    const open = changed(production, 'NetworkPolicy', 'payments', (o) => {
      o.spec.ingress[0].from.push({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders' } } });
    });
    expect(checkAgreement(root, 'production', open, base)).toEqual([
      'production: NetworkPolicy for payments admits gateway, orders, users; the code calls it from gateway, users',
    ]);
  });

  it('finds a service without autoscaler, limits or its wait for migrations', () => {
    const noHpa = structuredClone(production).filter((o) => !(o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'users'));
    expect(checkAgreement(root, 'production', noHpa, base)).toEqual(['production: users: no HorizontalPodAutoscaler scales its Deployment']);
    const noLimit = changed(production, 'Deployment', 'gateway', (o) => {
      delete container(o).resources.limits.memory;
    });
    expect(checkAgreement(root, 'production', noLimit, base)).toEqual(['production: Deployment/gateway container gateway: no memory limits']);
    const noWait = changed(production, 'Deployment', 'payments', (o) => {
      o.spec.template.spec.initContainers[0].command = ['node', 'scripts/dist/migrate.js', '--wait', 'orders'];
    });
    expect(checkAgreement(root, 'production', noWait, base)).toEqual(['production: Deployment/payments: no initContainer waits for the payments migrations']);
  });

  it('finds a development pod that would generate keys of its own', () => {
    const partial = changed(dev, 'Deployment', 'orders', (o) => {
      const c = container(o);
      c.env = c.env.filter((v: { name: string }) => v.name !== 'JWT_PRIVATE_KEY');
    });
    expect(checkAgreement(root, 'dev', partial, base)).toEqual([
      'dev: Deployment/orders container orders: in development orders would generate its own keys; give it JWT_PRIVATE_KEY, JWT_PUBLIC_KEY and GATEWAY_SECRET',
    ]);
  });
});
