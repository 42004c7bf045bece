import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createLogger, EventBus, listDeadLetters } from '@storegraph/common';
import { LocalCluster, SUBGRAPHS } from '../../scripts/cluster/local-cluster';
import { CHECK_INTERVAL_MS } from '../../scripts/cluster/haproxy';
import { expectSagaInvariants, orderRows, waitForSettled } from '../support/saga-invariants';
import { trackDir, watchdogHooks } from '../faults/support/cleanup';
import { sleep } from '../faults/support/fault-stack';
import { gql, Load } from '../faults/support/load';
import { poolSql } from '../faults/support/sql';
import { OrderWatcher } from './support/order-watchers';

/**
 * The local cluster (scripts/cluster) under load, losing a process at a time: concurrent
 * checkouts through HAProxy, SDK subscriptions open on orders, and in turn a NATS node
 * SIGKILLed and restarted; one replica of every subgraph and one gateway SIGKILLed; the
 * Redis primary SIGKILLed (Sentinel promotes the replica). After each: every order settles
 * within the bound, the saga's invariants hold, nothing is dead-lettered, and every
 * subscription went on. Throughput (orders placed per second) before, during and after
 * each fault is printed as a table.
 *
 *   npm run test:cluster                         full form
 *   CLUSTER_FAULTS=short npm run test:cluster    the short form CI runs
 */
const SHORT = process.env.CLUSTER_FAULTS === 'short';
const CLIENTS = Number(process.env.CLUSTER_CLIENTS ?? 6);
const WATCHERS = Number(process.env.CLUSTER_WATCHERS ?? 4);
/** How long throughput is measured before and after each fault, and how long a killed process stays down. */
const WINDOW_MS = Number(process.env.CLUSTER_WINDOW_MS ?? (SHORT ? 5000 : 15_000));
const DOWN_MS = Number(process.env.CLUSTER_DOWN_MS ?? (SHORT ? 3000 : 10_000));
const SETTLE_TIMEOUT_MS = 90_000;
/**
 * The bound for Redis: Sentinels call the primary down after 1 s and promote the replica
 * within a few seconds; clients ask them again within 2 s; users refills the revocations
 * within a second. Sign-in, revocation and rate limits work again within 20 s.
 */
const REDIS_BOUND_MS = 20_000;
/** HAProxy takes a dead replica out after two failed checks; a refused connection is sent elsewhere at once. */
const ROUTE_AROUND_MS = 2 * CHECK_INTERVAL_MS + 1000;
const EVENT_TIMEOUT_MS = 30_000;
const STOCK = 100_000;
const PRODUCTS = 5;
const ADMIN = { email: 'cluster-admin@storegraph.test', password: 'cluster-admin-password' };
const PHASE_TIMEOUT_MS = 10 * 60_000;

interface Row {
  fault: string;
  before: number;
  during: number;
  after: number;
  duringSeconds: number;
  failedRequests: number;
  orders: number;
  reconnected: number;
  note: string;
}

describe('the local cluster under faults mid-load', () => {
  let cluster: LocalCluster;
  let end: () => Promise<void>;
  let sql: ReturnType<typeof poolSql>['sql'];
  let shoppers: string[];
  let watcherToken: string;
  const stockAtStart = new Map<string, number>();
  const rows: Row[] = [];
  const prefix = `${process.env.TEST_DATABASE_PREFIX ?? 'storegraph_test'}_cl${randomBytes(3).toString('hex')}`;
  const postgresUrl = process.env.CLUSTER_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
  const dirs: string[] = [];

  beforeAll(async () => {
    const keysDir = mkdtempSync(join(tmpdir(), 'storegraph-cluster-keys-'));
    const mailDir = mkdtempSync(join(tmpdir(), 'storegraph-cluster-mail-'));
    for (const dir of [keysDir, mailDir]) {
      trackDir(dir);
      dirs.push(dir);
    }
    cluster = await LocalCluster.start({
      postgresUrl,
      databasePrefix: prefix,
      hooks: watchdogHooks,
      echo: process.env.CLUSTER_VERBOSE === '1',
      env: {
        APP_MODE: 'development',
        LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? 'warn',
        KEYS_DIR: keysDir,
        MAIL_FOLDER: mailDir,
        // Every shopper comes from 127.0.0.1 and checks out again and again.
        RATE_LIMIT_MULTIPLIER: '50',
        EMAIL_VERIFICATION_RATE_LIMIT: '1',
        PAYMENT_TEST_DELAY_MS: '300',
        PAYMENT_RECOVERY_AFTER_SECONDS: '5',
      },
      usersEnv: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    });
    trackDir(cluster.dir);
    ({ sql, end } = poolSql((service) => cluster.databaseUrls[service]));
    const url = cluster.clientUrl;
    const admin = await login(ADMIN.email, ADMIN.password);
    for (let i = 0; i < PRODUCTS; i += 1) {
      const { createProduct } = await gql<{ createProduct: { id: string } }>(
        url,
        'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
        { input: { sku: `CLUSTER-${i}`, name: `Cluster ${i}`, price: `${3 + i}.25`, stock: STOCK } },
        admin,
      );
      stockAtStart.set(createProduct.id, STOCK);
    }
    shoppers = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => register(`cluster-shopper-${i}@storegraph.test`)));
    watcherToken = await register('cluster-watcher@storegraph.test');
    await register(REVOKER);
  }, 300_000);

  afterAll(async () => {
    await end?.();
    await cluster?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await dropDatabases();
    if (rows.length > 0) process.stdout.write(`${table(rows)}\n`);
  }, 120_000);

  async function register(email: string): Promise<string> {
    const { register: session } = await gql<{ register: { accessToken: string } }>(
      cluster.clientUrl,
      'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
      { input: { email, password: 'cluster-shopper-1', name: email.split('@')[0] } },
    );
    return session.accessToken;
  }

  async function login(email: string, password: string): Promise<string> {
    return (await session(email, password)).accessToken;
  }

  async function session(email: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
    const { login: pair } = await gql<{ login: { accessToken: string; refreshToken: string } }>(
      cluster.clientUrl,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }',
      { e: email, p: password },
    );
    return pair;
  }

  /** A login of the revocation checks' own user (not the watchers'), ended with logout. */
  const REVOKER = 'cluster-revoker@storegraph.test';
  const LOGOUT = 'mutation($r: String!) { logout(refreshToken: $r) }';
  const logout = (pair: { accessToken: string; refreshToken: string }) =>
    gql(cluster.clientUrl, LOGOUT, { r: pair.refreshToken }, pair.accessToken).then(
      () => true,
      () => false,
    );

  async function dropDatabases(): Promise<void> {
    const client = new Client({ connectionString: `${postgresUrl}/postgres` });
    await client.connect();
    try {
      for (const name of SUBGRAPHS) await client.query(`drop database if exists "${prefix}_${name}" with (force)`);
    } finally {
      await client.end();
    }
  }

  /** Orders placed per second over `ms` of the running load. */
  async function throughput(load: Load, ms: number): Promise<number> {
    const placed = load.counts.placed;
    await sleep(ms);
    return ((load.counts.placed - placed) * 1000) / ms;
  }

  /**
   * Watchers follow confirmed orders live, the load runs, throughput is measured, the
   * fault strikes and heals (`inject` resolves when it has), throughput again; then every
   * subscription must still go on and every order settle with the invariants holding.
   */
  async function underFault(fault: string, inject: () => Promise<string>): Promise<void> {
    const products = [...stockAtStart.keys()];
    const watchers = await OrderWatcher.open(cluster.clientUrl, watcherToken, Array.from({ length: WATCHERS }, (_, i) => products[i % products.length]), EVENT_TIMEOUT_MS);
    const load = new Load(cluster.clientUrl, shoppers, products);
    let stopped = false;
    try {
      await load.placeMore(CLIENTS, 60_000);
      const before = await throughput(load, WINDOW_MS);
      const failedBefore = load.counts.failedRequests;
      const placedBefore = load.counts.placed;
      const struck = Date.now();
      const note = await inject();
      const duringMs = Date.now() - struck;
      const during = ((load.counts.placed - placedBefore) * 1000) / duringMs;
      const failedRequests = load.counts.failedRequests - failedBefore;
      const after = await throughput(load, WINDOW_MS);
      await load.stop();
      stopped = true;
      expect(after).toBeGreaterThan(0);

      // Every subscription went on: the first event after a reconnection is the order as it
      // is now (CONFIRMED), and the cancel that follows arrives on it.
      for (const watcher of watchers) {
        for (const [i, event] of watcher.seen.entries()) {
          if (i > 0 && event.connection > watcher.seen[i - 1].connection) expect(event.status).toBe(await watcher.statusNow());
        }
        await watcher.cancelAndFinish(EVENT_TIMEOUT_MS);
        const statuses = watcher.seen.map((e) => e.status);
        expect(statuses.filter((s) => s !== 'CONFIRMED' && s !== 'CANCELLED' && s !== 'RESERVED' && s !== 'PENDING')).toEqual([]);
        expect(statuses.at(-1)).toBe('CANCELLED');
      }
      const reconnected = watchers.filter((w) => w.reconnections > 0).length;

      const orderIds = (await sql<{ id: string }>('orders', 'select id from orders')).map((r) => r.id);
      expect(orderIds).toEqual(expect.arrayContaining(load.orderIds));
      await waitForSettled(sql, orderIds, SETTLE_TIMEOUT_MS);
      await expectSagaInvariants(sql, { stockAtStart, orderIds, settleTimeoutMs: SETTLE_TIMEOUT_MS });
      const settled = await orderRows(sql, orderIds);
      expect(settled.filter((o) => o.failure_reason === 'RESERVATION_EXPIRED')).toEqual([]);
      expect(await deadLetters()).toEqual([]);
      const row = { fault, before, during, after, duringSeconds: duringMs / 1000, failedRequests, orders: orderIds.length, reconnected, note };
      rows.push(row);
      process.stdout.write(`[cluster] ${JSON.stringify(row)}\n`);
    } catch (err) {
      process.stdout.write(`\n[cluster] ${fault} failed; last output of every process:\n${cluster.tails()}\n`);
      throw err;
    } finally {
      if (!stopped) await load.stop();
      await Promise.all(watchers.map((w) => w.dispose().catch(() => undefined)));
    }
  }

  async function deadLetters(): Promise<unknown[]> {
    const bus = await EventBus.connect({ url: cluster.nats.url, name: 'cluster-dlq', namespace: cluster.namespace, logger: createLogger('cluster', 'error') });
    try {
      return (await listDeadLetters(bus)).map((l) => ({ consumer: l.consumer, subject: l.subject, error: l.error.slice(0, 100) }));
    } finally {
      await bus.close();
    }
  }

  it(
    'SIGKILL of one NATS node, restarted later: publishing and consuming go on',
    async () => {
      await underFault('SIGKILL nats-2, restart', async () => {
        const node = cluster.nats.nodes[1];
        await node.kill();
        await sleep(DOWN_MS);
        await node.start();
        return `down ${DOWN_MS / 1000} s`;
      });
    },
    PHASE_TIMEOUT_MS,
  );

  it(
    'SIGKILL of one replica of every subgraph and of one gateway: HAProxy routes around',
    async () => {
      await underFault('SIGKILL a replica of each service', async () => {
        const victims = [...SUBGRAPHS, 'gateway' as const].map((name) => cluster.of(name)[0]);
        await Promise.all(victims.map((victim) => victim.kill()));
        // Within HAProxy's check interval the pools run on the survivors alone.
        await sleep(Math.max(DOWN_MS, ROUTE_AROUND_MS));
        const ready = await fetch(new URL('/ready', cluster.clientUrl), { signal: AbortSignal.timeout(5000) });
        expect(ready.status).toBe(200);
        await Promise.all(victims.map((victim) => victim.start()));
        return `down ${Math.max(DOWN_MS, ROUTE_AROUND_MS) / 1000} s`;
      });
      // At most the requests in flight at the kill failed: a few per shopper, not a stream of errors.
      expect(rows.at(-1)!.failedRequests).toBeLessThanOrEqual(3 * CLIENTS);
      // Sockets on the killed gateway reconnected (HAProxy spreads them over both).
      expect(rows.at(-1)!.reconnected).toBeGreaterThan(0);
    },
    PHASE_TIMEOUT_MS,
  );

  it(
    'SIGKILL of the Redis primary: Sentinel promotes the replica; sign-in, revocation and rate limits work again within the bound, no revoked token accepted',
    async () => {
      await underFault('SIGKILL Redis primary', async () => {
        const url = cluster.clientUrl;
        const ME = '{ me { id } }';
        // Revoked before the fault (and replicated), and one revoked while Redis is down.
        const revokedBefore = await session(REVOKER, 'cluster-shopper-1');
        expect(await logout(revokedBefore)).toBe(true);
        await sleep(500);
        const toRevokeDuring = await session(REVOKER, 'cluster-shopper-1');
        const primary = await cluster.redis.primary();
        const struck = Date.now();
        await primary.kill();

        const revoked = [revokedBefore.accessToken];
        let revokedDuring = false;
        const accepted: string[] = [];
        let signInAt = 0;
        let revocationAt = 0;
        let rateLimitAt = 0;
        while (Date.now() - struck < REDIS_BOUND_MS && (!signInAt || !revocationAt || !rateLimitAt)) {
          for (const token of revoked) {
            const answer = await gql(url, ME, {}, token).then(
              () => 'accepted',
              () => 'refused',
            );
            if (answer === 'accepted') accepted.push(token === revokedBefore.accessToken ? 'revoked before the fault' : 'revoked during the fault');
          }
          if (!revokedDuring) {
            // logout keeps the revocation in users' database whatever Redis does; it reaches the new primary later.
            revokedDuring = await logout(toRevokeDuring);
            if (revokedDuring) revoked.push(toRevokeDuring.accessToken);
          }
          // Each "works again at" is when the check that succeeded began.
          if (!signInAt) {
            const attemptAt = Date.now();
            const token = await login(REVOKER, 'cluster-shopper-1').catch(() => null);
            const works = token !== null && (await gql(url, ME, {}, token).then(() => true, () => false));
            if (works) signInAt = attemptAt;
          }
          if (signInAt && revokedDuring && !revocationAt) {
            const attemptAt = Date.now();
            const pair = await session(REVOKER, 'cluster-shopper-1').catch(() => null);
            const refused = pair !== null && (await logout(pair)) && (await gql(url, ME, {}, pair.accessToken).then(() => false, () => true));
            if (refused) revocationAt = attemptAt;
          }
          if (signInAt && !rateLimitAt) {
            // EMAIL_VERIFICATION_RATE_LIMIT=1 times the multiplier (50) per user, sent at once:
            // exactly 50 are served and one is refused, counted in Redis across both users replicas.
            const attemptAt = Date.now();
            const token = await register(`cluster-limit-${attemptAt}@storegraph.test`).catch(() => null);
            const codes = token
              ? await Promise.all(
                  Array.from({ length: 51 }, () =>
                    gql(url, 'mutation { requestEmailVerification }', {}, token).then(
                      () => 'ok',
                      (err: { codes?: string[] }) => err.codes?.[0] ?? 'failed',
                    ),
                  ),
                )
              : [];
            if (codes.filter((c) => c === 'ok').length === 50 && codes.filter((c) => c === 'RATE_LIMITED').length === 1) rateLimitAt = attemptAt;
          }
          await sleep(100);
        }
        expect(accepted).toEqual([]);
        expect(revokedDuring).toBe(true);
        for (const [what, at] of [['sign-in', signInAt], ['revocation', revocationAt], ['rate limits', rateLimitAt]] as const) {
          expect({ what, withinBound: at > 0 && at - struck <= REDIS_BOUND_MS }).toEqual({ what, withinBound: true });
        }
        expect(await cluster.redis.primary()).not.toBe(primary);
        const seconds = (at: number) => ((at - struck) / 1000).toFixed(1);
        return `sign-in ${seconds(signInAt)} s, revocation ${seconds(revocationAt)} s, rate limits ${seconds(rateLimitAt)} s`;
      });
    },
    PHASE_TIMEOUT_MS,
  );
});

function table(all: Row[]): string {
  return [
    '',
    `[cluster] throughput, orders placed per second (${CLIENTS} shoppers, ${WATCHERS} open subscriptions, ${WINDOW_MS / 1000} s windows)`,
    '| fault | before | during | after | during s | failed requests | orders | subscriptions reconnected | recovered |',
    '|---|---|---|---|---|---|---|---|---|',
    ...all.map(
      (r) =>
        `| ${r.fault} | ${r.before.toFixed(1)} | ${r.during.toFixed(1)} | ${r.after.toFixed(1)} | ${r.duringSeconds.toFixed(1)} | ${r.failedRequests} | ${r.orders} | ${r.reconnected} / ${WATCHERS} | ${r.note} |`,
    ),
    '',
  ].join('\n');
}
