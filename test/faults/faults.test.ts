import { expectSagaInvariants, orderRows, waitForSettled } from '../support/saga-invariants';
import { FaultStack, sleep } from './support/fault-stack';
import { gql, Load } from './support/load';

/**
 * Real faults on real processes: the five services run as separate OS processes (their
 * compiled entry points) on a PostgreSQL server and a nats-server of the suite's own.
 * Under concurrent checkouts through the gateway, each test injects one fault mid-load:
 * SIGKILL of orders, catalog and payments (restarted after FAULTS_DOWN_MS), a PostgreSQL
 * crash (immediate shutdown, started again after FAULTS_PG_DOWN_MS), every backend terminated with
 * pg_terminate_backend, and a SIGKILL of the nats-server (restarted on its port and
 * store). After each, every order ever placed settles (CONFIRMED, CANCELLED or FAILED)
 * within FAULTS_SETTLE_TIMEOUT_MS, the saga's invariants hold over all of them, and no
 * event was dead-lettered.
 *
 *   npm run test:faults                    the full form (FAULTS_ORDERS=300 per fault)
 *   FAULTS_SHORT=1 npm run test:faults     the short form (40 orders per fault)
 *   FAULTS_VERBOSE=1 ...                   the services' warnings on the console
 */
const SHORT = process.env.FAULTS_SHORT === '1';
const ORDERS = Number(process.env.FAULTS_ORDERS ?? (SHORT ? 40 : 300));
const CLIENTS = Number(process.env.FAULTS_CLIENTS ?? 8);
const DOWN_MS = Number(process.env.FAULTS_DOWN_MS ?? 2000);
/**
 * PostgreSQL stays down longer than a consumer's whole backoff (0.5 + 2 + 5 + 15 s before
 * the fifth and last attempt): an outage must not use up the attempts of the events in flight.
 */
const PG_DOWN_MS = Number(process.env.FAULTS_PG_DOWN_MS ?? 30_000);
/** The bound: a delivery lost with a killed consumer comes back after JetStream's 30 s ack wait. */
const SETTLE_TIMEOUT_MS = Number(process.env.FAULTS_SETTLE_TIMEOUT_MS ?? 90_000);
const PLACE_TIMEOUT_MS = 120_000;

/** Each product starts with this many units; one is scarce, so some orders fail OUT_OF_STOCK. */
const STOCK = 100_000;
const SCARCE_STOCK = 10;
const PRODUCTS = 7;

interface Figures {
  fault: string;
  placed: number;
  failedRequests: number;
  cancelled: number;
  totalOrders: number;
  /** Orders not yet settled and captures PENDING the moment the fault struck. */
  inFlight: { orders: number; captures: number };
  healSeconds: number;
  settleAfterHealSeconds: number;
  settleAfterLoadSeconds: number;
  statuses: Record<string, number>;
}

describe('the saga under real faults (separate processes)', () => {
  let stack: FaultStack;
  let shoppers: string[];
  const stockAtStart = new Map<string, number>();
  const figures: Figures[] = [];
  const started = Date.now();

  beforeAll(async () => {
    stack = await FaultStack.start({
      // Some captures are in the provider call when payments dies; recovery takes them after 5 s.
      PAYMENT_TEST_DELAY_MS: '300',
      PAYMENT_RECOVERY_AFTER_SECONDS: '5',
    });
    const url = stack.gatewayUrl;
    const { login } = await gql<{ login: { accessToken: string } }>(
      url,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: stack.admin.email, p: stack.admin.password },
    );
    for (let i = 0; i < PRODUCTS; i += 1) {
      const stock = i === 0 ? SCARCE_STOCK : STOCK;
      const { createProduct } = await gql<{ createProduct: { id: string } }>(
        url,
        'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
        { input: { sku: `FAULT-${i}`, name: `Fault ${i}`, price: `${5 + i}.50`, stock } },
        login.accessToken,
      );
      stockAtStart.set(createProduct.id, stock);
    }
    shoppers = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const { register } = await gql<{ register: { accessToken: string } }>(
          url,
          'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
          { input: { email: `faults-shopper-${i}@storegraph.test`, password: 'faults-shopper-1', name: `Shopper ${i}` } },
        );
        return register.accessToken;
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    if (figures.length > 0) printSummary(figures, (Date.now() - started) / 1000);
  }, 60_000);

  /**
   * Half the phase's orders are placed, the fault strikes and is healed (`inject` returns
   * when it is), the other half are placed; then every order in the database must settle
   * within the bound and the invariants must hold over all of them.
   */
  async function underLoad(fault: string, inject: () => Promise<void>): Promise<void> {
    const load = new Load(stack.gatewayUrl, shoppers, [...stockAtStart.keys()]);
    let loadStopped = false;
    try {
      await load.placeMore(ORDERS / 2, PLACE_TIMEOUT_MS);
      const inFlight = await inFlightNow();
      const faultAt = Date.now();
      await inject();
      const healedAt = Date.now();
      // Checkouts work again after the fault: the rest of the phase is placed.
      await load.placeMore(ORDERS / 2, PLACE_TIMEOUT_MS);
      const counts = await load.stop();
      loadStopped = true;
      const loadEndedAt = Date.now();

      // Every order in the database, also those whose checkout answer the fault swallowed.
      const orderIds = (await stack.sql<{ id: string }>('orders', 'select id from orders')).map((r) => r.id);
      expect(orderIds).toEqual(expect.arrayContaining(load.orderIds));
      await waitForSettled(stack.sql, orderIds, SETTLE_TIMEOUT_MS);
      const settledAt = Date.now();
      await expectSagaInvariants(stack.sql, { stockAtStart, orderIds, settleTimeoutMs: SETTLE_TIMEOUT_MS });
      const rows = await orderRows(stack.sql, orderIds);
      // No order was rescued by the reservation's expiry (900 s): the saga itself finished them.
      expect(rows.filter((o) => o.failure_reason === 'RESERVATION_EXPIRED')).toEqual([]);
      // A fault of the infrastructure is no event's fault: nothing was dead-lettered.
      expect(await stack.deadLetters()).toEqual([]);

      const statuses: Record<string, number> = {};
      for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
      const entry: Figures = {
        fault,
        placed: counts.placed,
        failedRequests: counts.failedRequests,
        cancelled: counts.cancelled,
        totalOrders: orderIds.length,
        inFlight,
        healSeconds: (healedAt - faultAt) / 1000,
        settleAfterHealSeconds: (settledAt - healedAt) / 1000,
        settleAfterLoadSeconds: (settledAt - loadEndedAt) / 1000,
        statuses,
      };
      figures.push(entry);
      process.stdout.write(`${formatFigures(entry)}\n`);
    } catch (err) {
      const open = await stack
        .sql<{ status: string; n: number }>('orders', "select status, count(*)::int as n from orders where status in ('PENDING', 'RESERVED') group by 1")
        .catch(() => []);
      process.stdout.write(
        `\n[faults] ${fault} failed; orders not settled: ${JSON.stringify(open)}; last output of every process:\n${stack.tails()}\n`,
      );
      throw err;
    } finally {
      if (!loadStopped) await load.stop();
    }
  }

  async function inFlightNow(): Promise<{ orders: number; captures: number }> {
    const [orders] = await stack.sql<{ n: number }>('orders', "select count(*)::int as n from orders where status in ('PENDING', 'RESERVED')");
    const [captures] = await stack.sql<{ n: number }>('payments', "select count(*)::int as n from payments where status = 'PENDING'");
    return { orders: orders.n, captures: captures.n };
  }

  const PHASE_TIMEOUT_MS = 2 * PLACE_TIMEOUT_MS + 2 * SETTLE_TIMEOUT_MS + 60_000;

  it.each(['orders', 'catalog', 'payments'] as const)(
    'SIGKILL of %s mid-load, then a restart',
    async (service) => {
      await underLoad(`SIGKILL ${service}`, () => stack.crashAndRestart(service, DOWN_MS));
    },
    PHASE_TIMEOUT_MS,
  );

  it(
    'PostgreSQL crashes (immediate shutdown) and starts again',
    async () => {
      await underLoad('PostgreSQL crash + restart', async () => {
        await stack.pg.crash();
        await sleep(PG_DOWN_MS);
        await stack.pg.start();
      });
    },
    PHASE_TIMEOUT_MS,
  );

  it(
    'every backend is terminated with pg_terminate_backend',
    async () => {
      await underLoad('pg_terminate_backend (all)', async () => {
        // A few rounds, so connections opened again in between go too.
        let terminated = 0;
        for (let round = 0; round < 3; round += 1) {
          terminated += await stack.pg.terminateBackends();
          await sleep(300);
        }
        expect(terminated).toBeGreaterThan(0);
      });
    },
    PHASE_TIMEOUT_MS,
  );

  it(
    'SIGKILL of the nats-server, restarted on its port and store',
    async () => {
      await underLoad('SIGKILL nats-server', async () => {
        await stack.crashAndRestartNats(DOWN_MS);
      });
    },
    PHASE_TIMEOUT_MS,
  );
});

function formatFigures(f: Figures): string {
  const statuses = Object.entries(f.statuses)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  return (
    `[faults] ${f.fault}: ${f.placed} orders placed (${f.cancelled} cancels, ${f.failedRequests} failed requests); ` +
    `in flight when it struck: ${f.inFlight.orders} orders, ${f.inFlight.captures} captures; ` +
    `healed in ${f.healSeconds.toFixed(1)} s; all ${f.totalOrders} orders settled ${f.settleAfterHealSeconds.toFixed(1)} s after the heal ` +
    `(${f.settleAfterLoadSeconds.toFixed(1)} s after the last checkout): ${statuses}`
  );
}

function printSummary(all: Figures[], seconds: number): void {
  const rows = all.map(
    (f) =>
      `| ${f.fault} | ${f.placed} | ${f.inFlight.orders} / ${f.inFlight.captures} | ${f.failedRequests} | ${f.healSeconds.toFixed(1)} | ${f.settleAfterHealSeconds.toFixed(1)} | ${f.settleAfterLoadSeconds.toFixed(1)} | ${f.totalOrders} |`,
  );
  process.stdout.write(
    [
      '',
      `[faults] summary (${ORDERS} orders per fault, ${CLIENTS} clients, services and NATS down ${DOWN_MS} ms, PostgreSQL ${PG_DOWN_MS} ms, bound ${SETTLE_TIMEOUT_MS / 1000} s; ${seconds.toFixed(0)} s in all)`,
      '| fault | placed | in flight (orders / captures) | failed requests | heal s | settled after heal s | settled after last checkout s | orders in db |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}
