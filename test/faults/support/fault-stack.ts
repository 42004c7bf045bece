import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger, EventBus, listDeadLetters } from '@storegraph/common';
import { freeTcpPort } from '@storegraph/common/testing';
import { ManagedProcess } from '../../../scripts/managed-process';
import { OwnNatsServer } from '../../e2e/support/nats-server';
import type { SagaSql } from '../../support/saga-invariants';
import { trackDir, trackProcess, untrackProcess, watchdogHooks } from './cleanup';
import { OwnPostgres } from './own-postgres';
import { poolSql } from './sql';

const ROOT = resolve(__dirname, '../../..');
const ADMIN = { email: 'faults-admin@storegraph.test', password: 'faults-admin-password' };

export type ServiceName = 'users' | 'catalog' | 'orders' | 'payments' | 'gateway';
const SUBGRAPHS = ['users', 'catalog', 'orders', 'payments'] as const;

/**
 * One service as its own OS process, started from its compiled entry point exactly as
 * `npm start` starts it (scripts/children.ts). Its output is kept (the last lines, for a
 * failure report) instead of filling the test log; warnings and errors are counted.
 */
export class ServiceProcess extends ManagedProcess {
  private readonly script: string;

  constructor(
    override readonly name: ServiceName,
    readonly port: number,
    env: NodeJS.ProcessEnv,
  ) {
    const script = name === 'gateway' ? 'gateway/dist/main.js' : `subgraphs/${name}/dist/main.js`;
    super(name, join(ROOT, script), {
      cwd: ROOT,
      env,
      readyUrl: `http://127.0.0.1:${port}/ready`,
      echo: process.env.FAULTS_VERBOSE === '1',
      hooks: watchdogHooks,
    });
    this.script = script;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  override async start(): Promise<void> {
    if (!existsSync(join(ROOT, this.script))) throw new Error(`${this.script} is missing: the fault suite runs the build (npm run build)`);
    await super.start();
  }
}

/**
 * The whole system as separate processes, on infrastructure of the suite's own: a
 * PostgreSQL server and a nats-server it may crash, on free ports; the shared Redis under
 * a prefix of its own. The suite reads the databases directly (`sql`) to check invariants.
 */
export class FaultStack {
  readonly admin = ADMIN;

  private constructor(
    readonly pg: OwnPostgres,
    readonly nats: OwnNatsServer,
    readonly services: Record<ServiceName, ServiceProcess>,
    private readonly keysDir: string,
    private readonly namespace: string,
  ) {}

  get gatewayUrl(): string {
    return this.services.gateway.url;
  }

  static async start(env: Record<string, string> = {}): Promise<FaultStack> {
    const pg = new OwnPostgres(await freeTcpPort());
    await pg.init();
    await pg.start();
    const nats = new OwnNatsServer(await freeTcpPort());
    trackDir(nats.storeDir);
    await FaultStack.startNats(nats);
    const keysDir = mkdtempSync(join(tmpdir(), 'storegraph-faults-keys-'));
    trackDir(keysDir);

    const namespace = `faults${randomBytes(4).toString('hex')}`;
    const ports = Object.fromEntries(
      await Promise.all((['users', 'catalog', 'orders', 'payments', 'gateway'] as const).map(async (name) => [name, await freeTcpPort()])),
    ) as Record<ServiceName, number>;
    const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}/graphql`;
    const shared: NodeJS.ProcessEnv = {
      ...process.env,
      APP_MODE: 'development',
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'warn',
      KEYS_DIR: keysDir,
      NATS_URL: nats.url,
      NATS_NAMESPACE: namespace,
      REDIS_PREFIX: `${namespace}:`,
      DATABASE_URL: pg.url,
      ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_DATABASE_URL`, `${pg.url}/${name}`])),
      ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, url(name)])),
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [`${name.toUpperCase()}_PORT`, String(port)])),
      ...env,
    };
    const services = Object.fromEntries(
      (['users', 'catalog', 'orders', 'payments', 'gateway'] as const).map((name) => [
        name,
        new ServiceProcess(name, ports[name], name === 'users' ? { ...shared, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } : shared),
      ]),
    ) as Record<ServiceName, ServiceProcess>;
    const stack = new FaultStack(pg, nats, services, keysDir, namespace);
    try {
      await Promise.all(SUBGRAPHS.map((name) => services[name].start()));
      await services.gateway.start();
    } catch (err) {
      process.stdout.write(`${stack.tails()}\n`);
      await stack.stop();
      throw err;
    }
    return stack;
  }

  private static async startNats(nats: OwnNatsServer): Promise<void> {
    await nats.start();
    trackProcess(nats.pid);
  }

  /** SIGKILLs the nats-server, leaves it down for `downMs`, starts it again on its port and store. */
  async crashAndRestartNats(downMs: number): Promise<void> {
    const pid = this.nats.pid;
    await this.nats.kill();
    untrackProcess(pid);
    await sleep(downMs);
    await FaultStack.startNats(this.nats);
  }

  /** SIGKILLs a service, leaves it down for `downMs`, starts it again; resolves once it is ready. */
  async crashAndRestart(name: ServiceName, downMs: number): Promise<void> {
    await this.services[name].kill();
    await sleep(downMs);
    await this.services[name].start();
  }

  private readonly db = poolSql((service) => `${this.pg.url}/${service}`);

  /** Runs one statement on a service's database (sql.ts). */
  readonly sql: SagaSql = (service, text, params) => this.db.sql(service, text, params);

  /** What the consumers parked in the dead-letter stream: consumer, subject and error of each. */
  async deadLetters(): Promise<Array<{ consumer: string; subject: string; error: string }>> {
    const bus = await EventBus.connect({ url: this.nats.url, name: 'faults-dlq', namespace: this.namespace, logger: createLogger('faults', 'error') });
    try {
      return (await listDeadLetters(bus)).map((l) => ({ consumer: l.consumer, subject: l.subject, error: l.error.slice(0, 100) }));
    } finally {
      await bus.close();
    }
  }

  /** The last lines of every service's output and PostgreSQL's log, for a failure report. */
  tails(): string {
    return [...Object.values(this.services).map((s) => s.tail()), '  [postgres]', this.pg.logTail()].join('\n');
  }

  async stop(): Promise<void> {
    await this.services.gateway.stop().catch(() => undefined);
    await Promise.all(SUBGRAPHS.map((name) => this.services[name].stop().catch(() => undefined)));
    await this.db.end();
    const natsPid = this.nats.pid;
    await this.nats.kill().catch(() => undefined);
    untrackProcess(natsPid);
    this.nats.remove();
    await this.pg.destroy();
    rmSync(this.keysDir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
