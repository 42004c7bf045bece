/**
 * bench/saga: N checkouts through the gateway at a fixed concurrency, against the real
 * stack started as separate processes (scripts/dist/start.js) on its own databases and
 * NATS namespace. Prints orders/s reaching CONFIRMED, checkout -> CONFIRMED latency
 * percentiles, messages per order, and SQL statements and CPU per order per process.
 *
 * A warm-up of BENCH_WARMUP orders runs first, unmeasured, until each is CONFIRMED: the
 * figures are the sustained rate of a warmed-up stack (V8 compiles the hot paths over
 * the first few thousand orders; CPU per order keeps falling until then).
 *
 *   npm run bench:saga                      5000 orders after a 2000-order warm-up, 12 clients
 *   BENCH_ORDERS=10000 BENCH_CONCURRENCY=16 npm run bench:saga
 *   BENCH_WARMUP=0 npm run bench:saga       a cold stack, warm-up included in the figures
 *   BENCH_SEPARATE_CART=1 npm run bench:saga   addToCart and checkout as two requests
 *   BENCH_PROFILE=1 npm run bench:saga      also writes V8 CPU profiles to bench/profiles/
 *   BENCH_PERF=1 npm run bench:saga         also profiles the measured phase with Linux perf
 *   BENCH_PG_SOCKET=/var/run/postgresql npm run bench:saga   PostgreSQL over its Unix socket
 *   BENCH_BASE_PORT=4200 BENCH_DATABASE=storegraph_bench2 npm run bench:saga   a second bench beside the first
 *
 * By default the stack listens on 4000-4004, as `npm start` does: stop that first, or
 * move the bench with BENCH_BASE_PORT (gateway there, the subgraphs on the next four).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { JsonHttpClient } from '@storegraph/common';
import { cpuSnapshot, printCpuPerOrder, stackProcesses } from './cpu-usage';
import { dropDatabases } from './databases';
import { startPerf, stopPerf, summarizePerf } from './perf-profile';
import { startOtlpSink } from './otlp-sink';
import { summarizeProfiles } from './profile-summary';

const ROOT = resolve(__dirname, '../..');
const ORDERS = Number(process.env.BENCH_ORDERS ?? 5000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 12);
const PROFILE = process.env.BENCH_PROFILE === '1';
const PERF = process.env.BENCH_PERF === '1';
const BASE_PORT = Number(process.env.BENCH_BASE_PORT ?? 4000);
const SUBGRAPHS = ['users', 'catalog', 'orders', 'payments'] as const;
const portOf = (name: (typeof SUBGRAPHS)[number]) => BASE_PORT + 1 + SUBGRAPHS.indexOf(name);
const GATEWAY = `http://localhost:${BASE_PORT}/graphql`;
/** Databases `<BENCH_DATABASE>_users` and so on, dropped and made afresh by each run's stack. */
const DATABASE = process.env.BENCH_DATABASE ?? 'storegraph_bench';
const NAMESPACE = `bench${Date.now().toString(36)}`;
const SEPARATE_CART = process.env.BENCH_SEPARATE_CART === '1';
const ADD_TO_CART = 'mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { subtotal { amount } } }';
const CHECKOUT = 'mutation { checkout(input: { paymentToken: "tok_visa" }) { id } }';
const BUY_NOW =
  'mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { subtotal { amount } } checkout(input: { paymentToken: "tok_visa" }) { id } }';
/** node:http rather than fetch: the load generator shares the 2 cores it measures. */
const http = new JsonHttpClient();
const ADMIN = { email: 'bench-admin@storegraph.test', password: 'bench-admin-password' };

async function gql<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const reply = await http.post(GATEWAY, JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {}, 30_000);
  const body = JSON.parse(reply.body) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} not ready`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const profileDir = join(ROOT, 'bench', 'profiles');
  if (PROFILE || PERF) mkdirSync(profileDir, { recursive: true });
  // BENCH_PG_SOCKET=/var/run/postgresql compares a Unix socket with TCP loopback.
  const db = (name: string) =>
    process.env.BENCH_PG_SOCKET
      ? `postgres://postgres@localhost/${DATABASE}_${name}?host=${encodeURIComponent(process.env.BENCH_PG_SOCKET)}`
      : `postgres://postgres@127.0.0.1:5432/${DATABASE}_${name}`;
  await dropDatabases(SUBGRAPHS.map((name) => `${DATABASE}_${name}`));
  // BENCH_TRACING=1: every service exports its spans over OTLP to a sink in this process.
  const sink = process.env.BENCH_TRACING === '1' ? await startOtlpSink() : null;
  const stack = spawn(process.execPath, [join(ROOT, 'scripts/dist/start.js')], {
    cwd: ROOT,
    stdio: ['ignore', process.env.BENCH_STACK_LOG ? 'inherit' : 'ignore', 'inherit'],
    env: {
      ...process.env,
      APP_MODE: 'development',
      LOG_LEVEL: 'warn',
      NATS_NAMESPACE: NAMESPACE,
      REDIS_PREFIX: `${NAMESPACE}:`,
      GATEWAY_PORT: String(BASE_PORT),
      ...Object.fromEntries(
        SUBGRAPHS.flatMap((name) => [
          [`${name.toUpperCase()}_DATABASE_URL`, db(name)],
          [`${name.toUpperCase()}_PORT`, String(portOf(name))],
          [`${name.toUpperCase()}_URL`, `http://localhost:${portOf(name)}/graphql`],
        ]),
      ),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // A dozen shoppers on one address place thousands of orders a minute: far past a store's limits.
      RATE_LIMIT_MULTIPLIER: process.env.RATE_LIMIT_MULTIPLIER ?? '100000',
      ...(sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
      ...(PROFILE ? { SERVICE_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
    },
  });
  const stopStack = () =>
    new Promise<void>((r) => {
      if (stack.exitCode !== null) return r();
      stack.once('exit', () => r());
      stack.kill('SIGTERM');
    });
  try {
    await waitReady(`http://localhost:${BASE_PORT}/ready`, 120_000);
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    const confirmedAt = new Map<string, number>();
    // Only the subject it times: listening to every subject would add the bench's own
    // deliveries to the NATS load it measures. Messages are counted in the streams instead.
    nc.subscribe(`${NAMESPACE}.orders.order.confirmed`, {
      callback: (_err, msg) => {
        confirmedAt.set(msg.json<{ data: { orderId: string } }>().data.orderId, performance.now());
      },
    });
    const jsm = await jetstreamManager(nc);
    const streamMessages = async () => {
      let total = 0;
      for await (const stream of jsm.streams.list()) {
        if (stream.config.name.startsWith(`${NAMESPACE.toUpperCase()}_`)) total += stream.state.messages;
      }
      return total;
    };

    /** Statements each subgraph has sent since it started: [all, serving requests] (its /metrics). */
    const sqlCounts = async () => {
      const counts = new Map<string, [number, number]>();
      for (const name of SUBGRAPHS) {
        const metrics = await (await fetch(`http://localhost:${portOf(name)}/metrics`)).text();
        // storegraph_sql_statements_total{source="request"|"background",service=...}
        const statements = (source: string) => Number(new RegExp(`^storegraph_sql_statements_total\\{source="${source}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
        counts.set(name, [statements('request') + statements('background'), statements('request')]);
      }
      return counts;
    };

    const adminToken = (
      await gql<{ login: { accessToken: string } }>(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: ADMIN.email, p: ADMIN.password },
      )
    ).login.accessToken;
    const products = await Promise.all(
      Array.from({ length: 20 }, async (_, i) =>
        (
          await gql<{ createProduct: { id: string } }>(
            'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
            { input: { sku: `${NAMESPACE}-${i}`, name: `Bench ${i}`, price: '10.00', stock: (ORDERS + WARMUP) * 10 } },
            adminToken,
          )
        ).createProduct.id,
      ),
    );
    const shoppers = await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, i) =>
        (
          await gql<{ register: { accessToken: string } }>(
            'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
            { input: { email: `${NAMESPACE}-${i}@storegraph.test`, password: 'bench-password', name: `Bench ${i}` } },
          )
        ).register.accessToken,
      ),
    );

    /** Places `count` orders from every shopper at once; returns when each got its order id. */
    const placeOrders = async (count: number, placedAt: Map<string, number>) => {
      let next = 0;
      await Promise.all(
        shoppers.map(async (token) => {
          while (next < count) {
            const n = next++;
            const before = performance.now();
            // One client request per order, as a "buy now" button sends it: the cart line and
            // the checkout in one mutation (executed in order). BENCH_SEPARATE_CART=1 sends
            // addToCart and checkout as two requests, as a shop's cart page does.
            let checkout: { id: string };
            if (SEPARATE_CART) {
              await gql(ADD_TO_CART, { p: products[n % products.length] }, token);
              ({ checkout } = await gql<{ checkout: { id: string } }>(CHECKOUT, {}, token));
            } else {
              ({ checkout } = await gql<{ checkout: { id: string } }>(BUY_NOW, { p: products[n % products.length] }, token));
            }
            placedAt.set(checkout.id, before);
          }
        }),
      );
    };
    const allConfirmed = async (placedAt: Map<string, number>) => {
      const deadline = Date.now() + 120_000;
      while ([...placedAt.keys()].some((id) => !confirmedAt.has(id)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    if (WARMUP > 0) {
      const warm = new Map<string, number>();
      await placeOrders(WARMUP, warm);
      await allConfirmed(warm);
      console.log(`warm-up:                  ${warm.size} orders (not measured)`);
    }

    const placedAt = new Map<string, number>();
    const messagesBefore = await streamMessages();
    const sqlBefore = await sqlCounts();
    const perf = PERF ? startPerf(join(profileDir, 'perf.data')) : null;
    const cpuBefore = cpuSnapshot(stack.pid!);
    const started = performance.now();
    await placeOrders(ORDERS, placedAt);
    const checkoutsDone = performance.now();
    await allConfirmed(placedAt);
    const cpuAfter = cpuSnapshot(stack.pid!);
    if (perf) await stopPerf(perf);
    const cpuSeconds = (performance.now() - started) / 1000;
    const measured = [...placedAt].filter(([id]) => confirmedAt.has(id));
    const finished = Math.max(...measured.map(([id]) => confirmedAt.get(id)!));
    const latencies = measured.map(([id, t]) => confirmedAt.get(id)! - t).sort((a, b) => a - b);
    const confirmed = latencies.length;
    // Let the last events (orders.order.confirmed etc.) arrive before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const sqlAfter = await sqlCounts();
    const seconds = (finished - started) / 1000;
    console.log(`orders placed:            ${placedAt.size} (concurrency ${CONCURRENCY})`);
    console.log(`orders CONFIRMED:         ${confirmed}`);
    console.log(`checkout phase:           ${((checkoutsDone - started) / 1000).toFixed(2)} s (${(placedAt.size / ((checkoutsDone - started) / 1000)).toFixed(1)} checkouts/s, ${SEPARATE_CART ? 'each after its own addToCart request' : 'each with its addToCart in one request'})`);
    console.log(`CONFIRMED throughput:     ${(confirmed / seconds).toFixed(1)} orders/s (first checkout -> last CONFIRMED, ${seconds.toFixed(2)} s)`);
    console.log(`checkout -> CONFIRMED:    p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`);
    console.log(`NATS messages per order:  ${(((await streamMessages()) - messagesBefore) / placedAt.size).toFixed(2)} (stored in the saga's streams)`);
    for (const [name, [all, requests]] of sqlAfter) {
      const [allBefore, requestsBefore] = sqlBefore.get(name)!;
      console.log(`SQL statements, ${name.padEnd(8)}  ${((all - allBefore) / placedAt.size).toFixed(1)} per order (${((requests - requestsBefore) / placedAt.size).toFixed(1)} serving requests)`);
    }
    printCpuPerOrder(cpuBefore, cpuAfter, placedAt.size, cpuSeconds);
    if (sink) console.log(`tracing on:               ${sink.posts()} OTLP exports, ${(sink.bytes() / 1e6).toFixed(1)} MB`);
    if (perf) summarizePerf(join(profileDir, 'perf.data'), stackProcesses(stack.pid!));
    await nc.close();
  } finally {
    await stopStack();
    await sink?.close();
  }
  if (PROFILE) summarizeProfiles(profileDir);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
