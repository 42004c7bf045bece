import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeTcpPort } from '@storegraph/common/testing';
import { ManagedProcess, type ProcessHooks } from '../managed-process';
import { haproxyProcess, type Pool } from './haproxy';
import { NATS_NODES, NatsCluster } from './nats-cluster';
import { RedisWithSentinels } from './redis-sentinel';

/** The repository: from scripts/cluster (under jest) or scripts/dist/cluster (built), where supergraph.yaml is. */
const ROOT = [resolve(__dirname, '../..'), resolve(__dirname, '../../..')].find((dir) => existsSync(join(dir, 'supergraph.yaml')))!;
export const SUBGRAPHS = ['users', 'catalog', 'orders', 'payments'] as const;
export type ClusterService = (typeof SUBGRAPHS)[number] | 'gateway';
export const REPLICAS = 2;

export interface ClusterOptions {
  /** PostgreSQL server (no database): each subgraph gets `<server>/<databasePrefix>_<name>`. */
  postgresUrl: string;
  databasePrefix: string;
  /** Where clients reach the gateways through HAProxy, and HAProxy's stats page (0: any free port). */
  clientPort?: number;
  statsPort?: number;
  /** Settings for every service on top of the cluster's (the caller's environment is not passed). */
  env?: NodeJS.ProcessEnv;
  /** Settings for users only (ADMIN_EMAIL ...). */
  usersEnv?: NodeJS.ProcessEnv;
  hooks?: ProcessHooks;
  /** Print the services' output (the servers' is kept for tail()). */
  echo?: boolean;
}

const port = (fixed: number | undefined) => (fixed ? Promise.resolve(fixed) : freeTcpPort());
const ports = (n: number) => Promise.all(Array.from({ length: n }, () => freeTcpPort()));

/**
 * Storegraph scaled out on one machine: a 3-node JetStream cluster, Redis with a replica
 * and three Sentinels, two replicas of every subgraph and of the gateway as OS processes,
 * and HAProxy in front of each group. PostgreSQL is the one server it is given. Each
 * process is started, crashed and restarted by its id; stop() ends them all and deletes
 * the servers' folders.
 */
export class LocalCluster {
  readonly replicas = new Map<ClusterService, ManagedProcess[]>();

  private constructor(
    readonly dir: string,
    readonly nats: NatsCluster,
    readonly redis: RedisWithSentinels,
    readonly haproxy: ManagedProcess,
    readonly clientUrl: string,
    readonly statsUrl: string,
    readonly databaseUrls: Record<(typeof SUBGRAPHS)[number], string>,
    readonly namespace: string,
  ) {}

  static async start(options: ClusterOptions): Promise<LocalCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'storegraph-cluster-'));
    const natsPorts = await Promise.all(
      Array.from({ length: NATS_NODES }, async () => ({ client: await freeTcpPort(), route: await freeTcpPort(), monitor: await freeTcpPort() })),
    );
    const nats = new NatsCluster(dir, natsPorts, options.hooks);
    const redis = new RedisWithSentinels(dir, { primary: await freeTcpPort(), replica: await freeTcpPort(), sentinels: await ports(3) }, options.hooks);

    const services: ClusterService[] = [...SUBGRAPHS, 'gateway'];
    const pools: Pool[] = [];
    for (const name of services) {
      pools.push({ name, port: name === 'gateway' ? await port(options.clientPort) : await freeTcpPort(), servers: await ports(REPLICAS) });
    }
    const statsPort = await port(options.statsPort);
    const poolOf = (name: ClusterService) => pools.find((p) => p.name === name)!;
    const haproxy = haproxyProcess(dir, pools, statsPort, options.hooks);
    const databaseUrls = Object.fromEntries(SUBGRAPHS.map((name) => [name, `${options.postgresUrl}/${options.databasePrefix}_${name}`])) as LocalCluster['databaseUrls'];
    const namespace = options.databasePrefix.replace(/[^A-Za-z0-9]/g, '');
    const cluster = new LocalCluster(
      dir,
      nats,
      redis,
      haproxy,
      `http://127.0.0.1:${poolOf('gateway').port}/graphql`,
      `http://127.0.0.1:${statsPort}/`,
      databaseUrls,
      namespace,
    );

    const shared: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_FORMAT: 'json',
      NATS_URL: nats.url,
      NATS_NAMESPACE: namespace,
      NATS_STREAM_REPLICAS: String(NATS_NODES),
      REDIS_URL: redis.url,
      REDIS_PREFIX: `${namespace}:`,
      DATABASE_URL: options.postgresUrl,
      // Ten processes share one PostgreSQL (and its max_connections) with whatever else
      // runs there: three connections each, plus each one's LISTEN for the outbox.
      DATABASE_POOL_MAX: '3',
      PAYMENTS_CONSUMER_CONCURRENCY: '2',
      ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_DATABASE_URL`, databaseUrls[name]])),
      // Every call between services goes through HAProxy, as the clients' do.
      ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${poolOf(name).port}/graphql`])),
      // The gateways see HAProxy's address; the client's comes in X-Forwarded-For.
      TRUST_PROXY: 'true',
      ...options.env,
    };
    for (const name of services) {
      const entry = join(ROOT, name === 'gateway' ? 'gateway/dist/main.js' : `subgraphs/${name}/dist/main.js`);
      cluster.replicas.set(
        name,
        poolOf(name).servers.map(
          (servicePort, i) =>
            new ManagedProcess(`${name}-${i + 1}`, entry, {
              cwd: ROOT,
              env: { ...shared, ...(name === 'users' ? options.usersEnv : {}), [`${name.toUpperCase()}_PORT`]: String(servicePort), GATEWAY_PORT: String(servicePort) },
              readyUrl: `http://127.0.0.1:${servicePort}/ready`,
              echo: options.echo,
              colorIndex: services.indexOf(name) * REPLICAS + i,
              hooks: options.hooks,
            }),
        ),
      );
    }

    try {
      await nats.start();
      await redis.start();
      await haproxy.start();
      await cluster.migrate(shared, options.hooks);
      // One subgraph first: it declares the streams (three copies each, through the
      // cluster's meta leader), which the others then find as declared. Then the first
      // replica of every other subgraph (declaring its consumers), then the second ones
      // (the migrations are applied: starting is a no-op for them), then the gateways,
      // whose /ready waits for every subgraph through HAProxy.
      const [first, ...others] = SUBGRAPHS.map((name) => cluster.replicas.get(name)![0]);
      await first.start();
      await Promise.all(others.map((replica) => replica.start()));
      await Promise.all(SUBGRAPHS.flatMap((name) => cluster.replicas.get(name)!.slice(1).map((replica) => replica.start())));
      await Promise.all(cluster.replicas.get('gateway')!.map((replica) => replica.start()));
      await cluster.waitUntilServing(30_000);
    } catch (err) {
      process.stdout.write(`${cluster.tails()}\n`);
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** The replicas of one service. */
  of(name: ClusterService): ManagedProcess[] {
    return this.replicas.get(name)!;
  }

  /** Every process, servers included, for a failure report. */
  get processes(): ManagedProcess[] {
    return [...this.replicas.values()].flat().concat(this.nats.nodes, this.redis.servers, this.redis.sentinels, [this.haproxy]);
  }

  /** Until HAProxy passes a request to a gateway whose subgraphs are ready. */
  async waitUntilServing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const ready = new URL('/ready', this.clientUrl).toString();
    for (;;) {
      const status: number | string = await fetch(ready, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, (err: Error) => `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}`);
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`HAProxy did not reach a ready gateway at ${ready} within ${timeoutMs / 1000} s (last ${status})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  tails(): string {
    return this.processes.map((p) => p.tail()).filter(Boolean).join('\n');
  }

  /** Ends everything it started (gateways first, so no request reaches a draining subgraph) and deletes its folder. */
  async stop(): Promise<void> {
    await Promise.all(this.of('gateway').map((p) => p.stop()));
    await Promise.all(SUBGRAPHS.flatMap((name) => this.of(name).map((p) => p.stop())));
    await this.haproxy.stop();
    await this.redis.stop();
    await this.nats.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Applies every subgraph's migrations once, before any replica starts (as the Kubernetes Job does). */
  private async migrate(env: NodeJS.ProcessEnv, hooks: ProcessHooks | undefined): Promise<void> {
    const migration = new ManagedProcess('migrate', join(ROOT, 'scripts/dist/migrate.js'), { cwd: ROOT, env, hooks });
    await migration.start();
    const { code } = (await migration.exited) as { code: number | null };
    if (code !== 0) throw new Error(`the migrations failed:\n${migration.tail()}`);
  }
}
