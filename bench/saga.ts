/**
 * bench/saga: N checkouts through the gateway at a fixed concurrency, against the real
 * stack started as separate processes (scripts/dist/start.js) on its own databases and
 * NATS namespace. Prints orders/s reaching CONFIRMED, checkout -> CONFIRMED latency
 * percentiles, and NATS messages per order.
 *
 *   npm run bench:saga                      1000 orders, concurrency 32
 *   BENCH_ORDERS=2000 BENCH_CONCURRENCY=64 npm run bench:saga
 *   BENCH_PROFILE=1 npm run bench:saga      also writes CPU profiles to bench/profiles/
 *   BENCH_PG_SOCKET=/var/run/postgresql npm run bench:saga   PostgreSQL over its Unix socket
 *
 * Stop a running `npm start` first: the bench uses the same ports.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { postJson } from '@storegraph/common';
import { cpuSnapshot, printCpuPerOrder } from './cpu-usage';
import { summarizeProfiles } from './profile-summary';

const ROOT = resolve(__dirname, '../..');
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PROFILE = process.env.BENCH_PROFILE === '1';
const GATEWAY = 'http://localhost:4000/graphql';
const NAMESPACE = `bench${Date.now().toString(36)}`;
const SEPARATE_CART = process.env.BENCH_SEPARATE_CART === '1';
const ADD_TO_CART = 'mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { subtotal { amount } } }';
const CHECKOUT = 'mutation { checkout(input: { paymentToken: "tok_visa" }) { id } }';
const BUY_NOW =
  'mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { subtotal { amount } } checkout(input: { paymentToken: "tok_visa" }) { id } }';
const ADMIN = { email: 'bench-admin@storegraph.test', password: 'bench-admin-password' };

async function gql<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  // node:http rather than fetch: the load generator shares the 2 cores it measures.
  const reply = await postJson(GATEWAY, JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {}, 30_000);
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
  if (PROFILE) mkdirSync(profileDir, { recursive: true });
  // BENCH_PG_SOCKET=/var/run/postgresql compares a Unix socket with TCP loopback.
  const db = (name: string) =>
    process.env.BENCH_PG_SOCKET
      ? `postgres://postgres@localhost/storegraph_bench_${name}?host=${encodeURIComponent(process.env.BENCH_PG_SOCKET)}`
      : `postgres://postgres@127.0.0.1:5432/storegraph_bench_${name}`;
  const stack = spawn(process.execPath, [join(ROOT, 'scripts/dist/start.js')], {
    cwd: ROOT,
    stdio: ['ignore', process.env.BENCH_STACK_LOG ? 'inherit' : 'ignore', 'inherit'],
    env: {
      ...process.env,
      APP_MODE: 'development',
      LOG_LEVEL: 'warn',
      NATS_NAMESPACE: NAMESPACE,
      REDIS_PREFIX: `${NAMESPACE}:`,
      USERS_DATABASE_URL: db('users'),
      CATALOG_DATABASE_URL: db('catalog'),
      ORDERS_DATABASE_URL: db('orders'),
      PAYMENTS_DATABASE_URL: db('payments'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
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
    await waitReady('http://localhost:4000/ready', 120_000);
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
            { input: { sku: `${NAMESPACE}-${i}`, name: `Bench ${i}`, price: '10.00', stock: ORDERS * 10 } },
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

    const placedAt = new Map<string, number>();
    let next = 0;
    const messagesBefore = await streamMessages();
    const cpuBefore = cpuSnapshot(stack.pid!);
    const started = performance.now();
    await Promise.all(
      shoppers.map(async (token) => {
        while (next < ORDERS) {
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
    const checkoutsDone = performance.now();
    const deadline = Date.now() + 120_000;
    while ([...placedAt.keys()].some((id) => !confirmedAt.has(id)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpuAfter = cpuSnapshot(stack.pid!);
    const cpuSeconds = (performance.now() - started) / 1000;
    const finished = Math.max(...[...confirmedAt.values()]);
    const latencies = [...placedAt].filter(([id]) => confirmedAt.has(id)).map(([id, t]) => confirmedAt.get(id)! - t).sort((a, b) => a - b);
    const confirmed = latencies.length;
    // Let the last events (orders.order.confirmed etc.) arrive before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const seconds = (finished - started) / 1000;
    console.log(`orders placed:            ${placedAt.size} (concurrency ${CONCURRENCY})`);
    console.log(`orders CONFIRMED:         ${confirmed}`);
    console.log(`checkout phase:           ${((checkoutsDone - started) / 1000).toFixed(2)} s (${(placedAt.size / ((checkoutsDone - started) / 1000)).toFixed(1)} checkouts/s, ${SEPARATE_CART ? 'each after its own addToCart request' : 'each with its addToCart in one request'})`);
    console.log(`CONFIRMED throughput:     ${(confirmed / seconds).toFixed(1)} orders/s (first checkout -> last CONFIRMED, ${seconds.toFixed(2)} s)`);
    console.log(`checkout -> CONFIRMED:    p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`);
    console.log(`NATS messages per order:  ${(((await streamMessages()) - messagesBefore) / placedAt.size).toFixed(2)} (stored in the saga's streams)`);
    for (const [name, port] of [['users', 4001], ['catalog', 4002], ['orders', 4003], ['payments', 4004]] as const) {
      const metrics = await (await fetch(`http://localhost:${port}/metrics`)).text();
      const total = Number(metrics.match(/source="all"} (\d+)/)?.[1] ?? NaN);
      const requests = Number(metrics.match(/source="request"} (\d+)/)?.[1] ?? NaN);
      console.log(`SQL statements, ${name.padEnd(8)}  ${total} in all (${requests} serving requests): ${(total / placedAt.size).toFixed(1)} per order`);
    }
    printCpuPerOrder(cpuBefore, cpuAfter, placedAt.size, cpuSeconds);
    await nc.close();
  } finally {
    await stopStack();
  }
  if (PROFILE) summarizeProfiles(profileDir);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
