/**
 * bench/gateway: the read path through the gateway, against the real stack started as
 * separate processes on ports 4100-4104 and databases `storegraph_benchgw_*` of its own (so
 * it never clashes with `npm start`, bench:saga or the tests). Seeds products, categories
 * and signed-in shoppers with orders, then loads three workloads with autocannon, 32
 * connections, median of 3 rounds each:
 *
 *   hot      the same catalog page (20 products with their categories), anonymous
 *   varied   catalog pages of 100 different sizes (first: 1..100), anonymous
 *   orders   a signed-in order history: 10 orders, their items' products and payments
 *
 * and prints req/s, p50/p99 latency, gateway CPU ms per request, SQL statements per request
 * per subgraph (their /metrics) and the gateway's peak RSS.
 *
 *   npm run bench:gateway
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=64 npm run bench:gateway
 *   BENCH_WORKLOADS=hot,varied npm run bench:gateway
 *   BENCH_PEERS=1 npm run bench:gateway     also Hive Gateway, plain and with router-runtime,
 *                                            installed into BENCH_PEERS_DIR (default: a folder
 *                                            under the OS temp dir), never into the workspace
 *   BENCH_STOCK_CHURN=150 npm run bench:gateway   stock changes per second during every round
 *                                            (the saga bench's reservation rate), through the
 *                                            catalog's own reservation path
 *   BENCH_GATEWAY_FLAGS='--max-semi-space-size=8' npm run bench:gateway   node/V8 flags for our
 *                                            gateway process (memory experiments)
 *
 * After the table it prints our gateway's memory (V8's heap spaces, used/total) at the end of
 * each workload, from its /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { JsonHttpClient } from '@storegraph/common';
import { dropDatabases } from './databases';
import { installPeers, startPeer, type PeerName } from './gateway-peers';
import { processCpuMs, peakRssMb } from './proc-stats';

const ROOT = resolve(__dirname, '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WORKLOADS = (process.env.BENCH_WORKLOADS ?? 'hot,varied,orders').split(',');
const PEERS = process.env.BENCH_PEERS === '1';
const STOCK_CHURN = Number(process.env.BENCH_STOCK_CHURN ?? 0);
const BASE_PORT = Number(process.env.BENCH_BASE_PORT ?? 4100);
const NAMESPACE = `benchgw${Date.now().toString(36)}`;
const SUBGRAPHS = ['users', 'catalog', 'orders', 'payments'] as const;
const port = (name: (typeof SUBGRAPHS)[number]) => BASE_PORT + 1 + SUBGRAPHS.indexOf(name);
const ADMIN = { email: 'benchgw-admin@storegraph.test', password: 'benchgw-admin-password' };
const SHOPPERS = 8;
const ORDERS_EACH = 10;
const http = new JsonHttpClient();

const HOT_PAGE = `query HotPage { products(first: 20) { totalCount edges { node { id name sku price { amount currency } stock
  images { url alt } category { id name slug } } } } }`;
const VARIED_PAGE = `query Page($first: Int!) { products(first: $first) { totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id name price { amount currency } stock category { id name } } } } }`;
const ORDER_HISTORY = `query History { me { id orders(first: 10) { totalCount edges { node { id status createdAt
  total { amount currency } items { quantity unitPrice { amount } product { id name price { amount } } }
  payment { id status amount { amount } } } } } } }`;

async function gql<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const reply = await http.post(url, JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {}, 30_000);
  const body = JSON.parse(reply.body) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function waitReady(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${url}: process exited (${child.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} not ready`);
}

/** SIGTERM, then SIGKILL after 10 s: a process that ignores the first (Hive did) must not hold its port for the next run. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      r();
    });
    child.kill('SIGTERM');
  });
}

/** Refuses to start when a port is taken: the bench would otherwise measure whatever answers there. */
async function assertPortsFree(ports: number[]): Promise<void> {
  for (const p of ports) {
    const free = await new Promise<boolean>((r) => {
      const server = createServer();
      server.once('error', () => r(false));
      server.listen(p, () => server.close(() => r(true)));
    });
    if (!free) throw new Error(`port ${p} is in use (a previous bench still running?); set BENCH_BASE_PORT to move the bench`);
  }
}

/** The stack as separate processes (as bench:saga's start.js does), on ports of our own. */
function startStack(): { children: Map<string, ChildProcess>; env: NodeJS.ProcessEnv } {
  const db = (name: string) => `${process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432'}/storegraph_benchgw_${name}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APP_MODE: 'development',
    LOG_LEVEL: 'warn',
    NATS_NAMESPACE: NAMESPACE,
    REDIS_PREFIX: `${NAMESPACE}:`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // 32 connections from one address: far past a store's per-address limits.
    RATE_LIMIT_MULTIPLIER: process.env.RATE_LIMIT_MULTIPLIER ?? '100000',
    GATEWAY_PORT: String(BASE_PORT),
    // Development keys and secret from one folder, whatever a process's working directory (Hive runs in its own).
    KEYS_DIR: resolve(ROOT, process.env.KEYS_DIR ?? '.keys'),
  };
  for (const name of SUBGRAPHS) {
    env[`${name.toUpperCase()}_DATABASE_URL`] = db(name);
    env[`${name.toUpperCase()}_PORT`] = String(port(name));
    env[`${name.toUpperCase()}_URL`] = `http://localhost:${port(name)}/graphql`;
  }
  const children = new Map<string, ChildProcess>();
  // As npm start: SERVICE_NODE_ARGS passes flags to every subgraph's node (e.g. --cpu-prof).
  const subgraphNodeArgs = (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  for (const name of SUBGRAPHS) {
    children.set(name, spawn(process.execPath, [...subgraphNodeArgs, join(ROOT, `subgraphs/${name}/dist/main.js`)], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] }));
  }
  return { children, env };
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  /** CPU of each subgraph process per request, ms. */
  subgraphCpuMs: Record<string, number>;
  sqlPerRequest: Record<string, number>;
  errors: number;
}

/** Statements each subgraph has sent serving requests since it started (its /metrics). */
async function sqlCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of SUBGRAPHS) {
    const metrics = await (await fetch(`http://localhost:${port(name)}/metrics`)).text();
    counts[name] = Number(metrics.match(/storegraph_sql_statements_total\{[^}]*source="request"[^}]*\} (\d+)/)?.[1] ?? NaN);
  }
  return counts;
}

type RequestFor = (n: number) => { body: string; headers: Record<string, string> };

async function round(url: string, gatewayPid: number, subgraphPids: Record<string, number>, requestFor: RequestFor, seconds: number): Promise<Round> {
  const sqlBefore = await sqlCounts();
  const subgraphCpuBefore = Object.fromEntries(Object.entries(subgraphPids).map(([name, pid]) => [name, processCpuMs(pid)]));
  const cpuBefore = processCpuMs(gatewayPid);
  let n = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const { body, headers } = requestFor(n++);
          return { ...request, body, headers: { ...request.headers, ...headers } };
        },
      },
    ],
  });
  const cpu = processCpuMs(gatewayPid) - cpuBefore;
  const total = result.requests.total;
  const subgraphCpuMs = Object.fromEntries(Object.entries(subgraphPids).map(([name, pid]) => [name, (processCpuMs(pid) - subgraphCpuBefore[name]) / total]));
  const sqlAfter = await sqlCounts();
  const sqlPerRequest: Record<string, number> = {};
  for (const name of SUBGRAPHS) sqlPerRequest[name] = (sqlAfter[name] - sqlBefore[name]) / total;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerRequest: cpu / total,
    subgraphCpuMs,
    sqlPerRequest,
    errors: result.errors + result.non2xx,
  };
}

function median(rounds: Round[]): Round {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Where our gateway's memory is at the end of a workload (its /metrics: V8's heap spaces, buffers outside the heap). */
async function memoryNote(gatewayUrl: string): Promise<string> {
  try {
    const text = await (await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
    const mb = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN) / 1024 / 1024;
    const used = (space: string) => mb(new RegExp(`nodejs_heap_space_size_used_bytes\\{space="${space}"[^}]*\\} (\\d+)`));
    const spaces = [...text.matchAll(/nodejs_heap_space_size_total_bytes\{space="(\w+)"[^}]*\} (\d+)/g)]
      .filter(([, , bytes]) => Number(bytes) >= 1024 * 1024)
      .map(([, space, bytes]) => `${space} ${used(space).toFixed(0)}/${(Number(bytes) / 1024 / 1024).toFixed(0)}`)
      .join(', ');
    const gcSeconds = [...text.matchAll(/nodejs_gc_duration_seconds_sum\{[^}]*kind="(\w+)"[^}]*\} ([\d.e+-]+)/g)]
      .map(([, kind, seconds]) => `${kind} ${Number(seconds).toFixed(2)}`)
      .join(', ');
    return `rss ${mb(/process_resident_memory_bytes\{[^}]*\} (\d+)/).toFixed(0)} MB; heap spaces used/total (MB): ${spaces}; external ${mb(/nodejs_external_memory_bytes\{[^}]*\} (\d+)/).toFixed(0)} MB; GC pauses so far (s): ${gcSeconds}`;
  } catch {
    return 'memory: no /metrics';
  }
}

function format(gateway: string, workload: string, r: Round, rssMb: number): string {
  const sql = Object.entries(r.sqlPerRequest)
    .filter(([, v]) => v > 0.005)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
  const sqlTotal = Object.values(r.sqlPerRequest).reduce((a, b) => a + b, 0);
  const cpu = Object.entries(r.subgraphCpuMs)
    .filter(([, v]) => v > 0.005)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
  return `| ${gateway} | ${workload} | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${r.cpuMsPerRequest.toFixed(2)} | ${cpu || '-'} | ${sqlTotal.toFixed(2)} (${sql || '-'}) | ${rssMb.toFixed(0)} MB | ${r.errors} |`;
}

/** Loads the other processes' share of the machine, so a noisy run can be recognised. */
function loadNote(): string {
  const [one, five] = require('node:os').loadavg() as number[];
  return `load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min)`;
}

async function seed(gatewayUrl: string) {
  const admin = (await gql<{ login: { accessToken: string } }>(gatewayUrl,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', { e: ADMIN.email, p: ADMIN.password })).login.accessToken;
  const categories: string[] = [];
  for (let i = 0; i < 5; i++) {
    categories.push((await gql<{ createCategory: { id: string } }>(gatewayUrl,
      'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
      { input: { name: `Bench category ${i}`, slug: `${NAMESPACE}-c${i}` } }, admin)).createCategory.id);
  }
  const products: string[] = [];
  for (let i = 0; i < 120; i++) {
    products.push((await gql<{ createProduct: { id: string } }>(gatewayUrl,
      'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { sku: `${NAMESPACE}-${i}`, name: `Bench product ${i}`, description: `Product number ${i}`, price: `${10 + i}.99`,
        categoryId: categories[i % categories.length], stock: 1_000_000, images: [{ url: `https://img.example/${i}.png`, alt: `p${i}` }] } },
      admin)).createProduct.id);
  }
  const shoppers: string[] = [];
  // Shoppers and their orders only for the order history (the slowest part of the seeding).
  for (let s = 0; s < (WORKLOADS.includes('orders') ? SHOPPERS : 0); s++) {
    const token = (await gql<{ register: { accessToken: string } }>(gatewayUrl,
      'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
      { input: { email: `${NAMESPACE}-${s}@storegraph.test`, password: 'bench-password', name: `Shopper ${s}` } })).register.accessToken;
    for (let o = 0; o < ORDERS_EACH; o++) {
      for (let line = 0; line < 3; line++) {
        await gql(gatewayUrl, 'mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { subtotal { amount } } }',
          { p: products[(s * 7 + o * 3 + line) % 20] }, token);
      }
      await gql(gatewayUrl, 'mutation { checkout(input: { paymentToken: "tok_visa" }) { id } }', {}, token);
    }
    shoppers.push(token);
  }
  // Until every order is CONFIRMED (payment attached): the history then stays the same.
  const deadline = Date.now() + 120_000;
  for (const token of shoppers) {
    for (;;) {
      const { me } = await gql<{ me: { orders: { edges: Array<{ node: { status: string } }> } } }>(gatewayUrl, ORDER_HISTORY, {}, token);
      if (me.orders.edges.length === ORDERS_EACH && me.orders.edges.every((e) => e.node.status === 'CONFIRMED')) break;
      if (Date.now() > deadline) throw new Error('seeded orders did not confirm');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { admin, products, shoppers };
}

/**
 * Stock changes at a steady rate during the rounds, as the saga's reservations make them:
 * one statement in catalog's database changing `reserved` of one of the hot page's products,
 * as the hold step does (same row, same trigger, same change event), never through the
 * gateway (a reservation never is), so every cached answer holding that product is dropped
 * as often as under the saga bench's load.
 */
function startStockChurn(products: string[], perSecond: number): () => Promise<void> {
  let running = true;
  let n = 0;
  const db = new Client({ connectionString: `${process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432'}/storegraph_benchgw_catalog` });
  const loop = (async () => {
    await db.connect();
    const interval = 1000 / perSecond;
    let next = performance.now();
    while (running) {
      const delta = n % 2 === 0 ? 1 : -1;
      await db.query('update products set reserved = reserved + $1 where id = $2', [delta, products[Math.floor(n++ / 2) % 20]]);
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return async () => {
    running = false;
    await loop;
    await db.end();
  };
}


async function main(): Promise<void> {
  await assertPortsFree([BASE_PORT, ...SUBGRAPHS.map(port), ...(PEERS ? [BASE_PORT + 10, BASE_PORT + 11] : [])]);
  // Every run starts from empty databases of its own: the workloads read the first products there are.
  await dropDatabases(SUBGRAPHS.map((name) => `storegraph_benchgw_${name}`));
  const { children, env } = startStack();
  const gateways: Array<{ name: string; url: string; process: ChildProcess }> = [];
  try {
    for (const name of SUBGRAPHS) await waitReady(`http://localhost:${port(name)}/ready`, 120_000, children.get(name));
    const ours = spawn(process.execPath, [...(process.env.BENCH_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean), join(ROOT, 'gateway/dist/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    gateways.push({ name: 'storegraph', url: `http://localhost:${BASE_PORT}/graphql`, process: ours });
    await waitReady(`http://localhost:${BASE_PORT}/ready`, 60_000, ours);
    console.log('seeding ...');
    const seeded = await seed(gateways[0].url);

    if (PEERS) {
      const dir = process.env.BENCH_PEERS_DIR ?? join(tmpdir(), 'storegraph-bench-peers');
      await installPeers(dir);
      let peerPort = BASE_PORT + 10;
      for (const peer of ['hive-gateway', 'hive-router-runtime'] as PeerName[]) {
        const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((name) => [name, `http://localhost:${port(name)}/graphql`]));
        const started = startPeer(peer, dir, { root: ROOT, env, port: peerPort, supergraph: join(ROOT, 'supergraph.graphql'), subgraphUrls });
        gateways.push({ name: peer, url: `http://localhost:${peerPort}/graphql`, process: started });
        await waitReady(`http://localhost:${peerPort}/healthcheck`, 120_000, started);
        peerPort++;
      }
    }

    const workloads: Record<string, RequestFor> = {
      hot: () => ({ body: JSON.stringify({ query: HOT_PAGE }), headers: {} }),
      varied: (n) => ({ body: JSON.stringify({ query: VARIED_PAGE, variables: { first: (n % 100) + 1 } }), headers: {} }),
      orders: (n) => ({
        body: JSON.stringify({ query: ORDER_HISTORY }),
        headers: { authorization: `Bearer ${seeded.shoppers[n % seeded.shoppers.length]}` },
      }),
    };
    const stopChurn = STOCK_CHURN > 0 ? startStockChurn(seeded.products, STOCK_CHURN) : null;
    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per round, median of ${ROUNDS}; ${loadNote()}${STOCK_CHURN ? `; ${STOCK_CHURN} stock changes/s` : ''}\n`);
    console.log('| gateway | workload | req/s | p50 | p99 | gateway CPU ms/req | subgraph CPU ms/req | SQL/req (per subgraph) | gateway peak RSS | errors |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    const memoryNotes = [`before the rounds: ${await memoryNote(gateways[0].url)}`];
    const subgraphPids = Object.fromEntries([...children].map(([name, child]) => [name, child.pid!]));
    for (const gateway of gateways) {
      for (const workload of WORKLOADS) {
        const requestFor = workloads[workload];
        if (!requestFor) throw new Error(`unknown workload ${workload}`);
        if (gateway.process.exitCode !== null || [...children.values()].some((c) => c.exitCode !== null)) throw new Error(`${gateway.name}: a process of the stack has exited`);
        await round(gateway.url, gateway.process.pid!, subgraphPids, requestFor, 2); // warm-up, not counted
        const rounds: Round[] = [];
        for (let i = 0; i < ROUNDS; i++) rounds.push(await round(gateway.url, gateway.process.pid!, subgraphPids, requestFor, SECONDS));
        console.log(format(gateway.name, workload, median(rounds), peakRssMb(gateway.process.pid!)));
        if (gateway.name === 'storegraph') memoryNotes.push(`${workload}: ${await memoryNote(gateway.url)}`);
      }
    }
    await stopChurn?.();
    console.log(`\nstoregraph gateway memory after each workload:\n${memoryNotes.join('\n')}`);
    console.log(`\nafter: ${loadNote()}`);
  } finally {
    for (const gateway of gateways.reverse()) await stop(gateway.process);
    await Promise.all([...children.values()].map(stop));
    http.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
