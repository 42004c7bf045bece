import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testNatsNamespace, testRedisPrefix, waitFor } from '@storegraph/common/testing';
import * as gateway from '@storegraph/gateway';
import { connect, createProduct, logIn, signUp } from './support/client';
import { startStack, type Stack } from './support/stack';

/** How soon after a commit every gateway replica must stop serving the old value (docs/decisions.md). */
const BOUND_MS = 100;

const PRODUCT = 'query($id: ID!) { product(id: $id) { id name price { amount } stock category { id name } } }';
const PAGE = 'query($first: Int!) { products(first: $first, sort: NEWEST) { totalCount edges { node { id name price { amount } stock } } } }';

async function post(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
}

/**
 * Reads through every url in a loop while `write` runs and for the bound after it; readers
 * stop with the writer, even when a write fails.
 */
async function readWhileWriting(urls: string[], read: (url: string) => Promise<void>, write: () => Promise<unknown>): Promise<void> {
  let writing = true;
  const readers = urls.map(async (url) => {
    while (writing) await read(url);
  });
  try {
    await write();
    await new Promise((r) => setTimeout(r, BOUND_MS));
  } finally {
    writing = false;
    await Promise.allSettled(readers);
  }
  await Promise.all(readers);
}

/** A catalog that answers `delayMs` late, so concurrent fetches are surely in flight together. */
async function slowProxy(target: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const upstream = httpRequest({ host: to.hostname, port: to.port, path: to.pathname, method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('the read path', () => {
  let stack: Stack;
  const extra: gateway.GatewayApp[] = [];
  let replica: { app: gateway.GatewayApp; url: string };
  let uncached: { app: gateway.GatewayApp; url: string };
  let adminToken: string;

  const startGateway = async (env: Record<string, string>) => {
    const app = await gateway.createApp(
      gateway.readConfig({
        ...process.env,
        APP_MODE: 'development',
        REDIS_PREFIX: testRedisPrefix,
        NATS_NAMESPACE: testNatsNamespace,
        USERS_URL: stack.urls.users,
        CATALOG_URL: stack.urls.catalog,
        ORDERS_URL: stack.urls.orders,
        PAYMENTS_URL: stack.urls.payments,
        ...env,
      }),
    );
    extra.push(app);
    return { app, url: await app.listen(0) };
  };
  const catalogReads = (app: gateway.GatewayApp) => app.reads.get('catalog')!;
  const sql = (statement: string, params: unknown[]) => stack.subgraphs.catalog.database.orm.em.getConnection().execute(statement, params);

  beforeAll(async () => {
    stack = await startStack();
    replica = await startGateway({});
    uncached = await startGateway({ READ_CACHE: 'false' });
    adminToken = (await logIn(connect(stack.url), stack.admin.email, stack.admin.password)).accessToken;
    for (const app of [stack.gateway, replica.app]) await waitFor(() => catalogReads(app).cache!.live, { what: 'read cache following catalog' });
  });

  afterAll(async () => {
    for (const app of extra) await app.stop();
    await stack.stop();
  });

  it('sends N identical concurrent anonymous catalog pages to catalog once, whoever and wherever the callers are', async () => {
    // A second long enough for all 20 to reach the gateway while the first fetch is out, even on a
    // loaded machine (signed-in callers check their token with Redis first).
    const proxy = await slowProxy(stack.urls.catalog, 1000);
    const slow = await startGateway({ CATALOG_URL: proxy.url, READ_CACHE: 'false', TRUST_PROXY: 'true' });
    try {
      const shopper = await signUp(connect(stack.url));
      const reads = catalogReads(slow.app).reads;
      const sentBefore = reads.stats.sent;
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(slow.url, PAGE, { first: 7 }, {
            'x-forwarded-for': `203.0.113.${i + 1}`,
            // A signed-in caller asks nothing caller-dependent: the same answer, the same fetch.
            ...(i % 4 === 0 ? { authorization: `Bearer ${shopper.accessToken}` } : {}),
          }),
        ),
      );
      expect(reads.stats.sent - sentBefore).toBe(1);
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(answers[0].errors).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it('never shares a private fetch: two users asking at once each get their own wishlist', async () => {
    const proxy = await slowProxy(stack.urls.catalog, 200);
    const slow = await startGateway({ CATALOG_URL: proxy.url });
    try {
      const admin = connect(stack.url, adminToken);
      const [a, b] = [await createProduct(admin, { price: '1.00', stock: 1 }), await createProduct(admin, { price: '2.00', stock: 1 })];
      const [alice, bob] = [await signUp(connect(stack.url)), await signUp(connect(stack.url))];
      const wishlist = 'query { me { id wishlist(first: 5) { edges { node { id } } } } }';
      const add = 'mutation($p: ID!) { addToWishlist(productId: $p) }';
      await post(stack.url, add, { p: a.id }, { authorization: `Bearer ${alice.accessToken}` });
      await post(stack.url, add, { p: b.id }, { authorization: `Bearer ${bob.accessToken}` });
      const sentBefore = catalogReads(slow.app).reads.stats.sent;
      const [forAlice, forBob] = await Promise.all([
        post(slow.url, wishlist, {}, { authorization: `Bearer ${alice.accessToken}` }),
        post(slow.url, wishlist, {}, { authorization: `Bearer ${bob.accessToken}` }),
      ]);
      expect(forAlice.data!.me.wishlist.edges.map((e: any) => e.node.id)).toEqual([a.id]);
      expect(forBob.data!.me.wishlist.edges.map((e: any) => e.node.id)).toEqual([b.id]);
      expect(catalogReads(slow.app).reads.stats.sent).toBe(sentBefore);
      // Anonymous, the same document gets no wishlist at all.
      expect((await post(slow.url, wishlist)).data!.me).toBeNull();
    } finally {
      await proxy.close();
    }
  });

  it('two replicas: after a price and a stock change neither serves the old value past the bound', async () => {
    const admin = connect(stack.url, adminToken);
    const product = await createProduct(admin, { price: '10.00', stock: 50 });
    const gateways = [stack.url, replica.url];
    const read = async () => Promise.all(gateways.map(async (url) => (await post(url, PRODUCT, { id: product.id })).data!.product));
    const page = async () =>
      Promise.all(gateways.map(async (url) => (await post(url, PAGE, { first: 3 })).data!.products.edges.find((e: any) => e.node.id === product.id)?.node));
    await read();
    await page();
    const hitsBefore = catalogReads(replica.app).cache!.stats.hits;
    expect((await read()).map((p) => p.price.amount)).toEqual(['10.00', '10.00']);
    expect((await page()).map((p) => p.stock)).toEqual([50, 50]);
    expect(catalogReads(replica.app).cache!.stats.hits).toBeGreaterThan(hitsBefore);

    // Straight in catalog's database: no gateway sees the write, only its event.
    await sql('update products set price_minor = 1234 where id = ?', [product.id]);
    await new Promise((r) => setTimeout(r, BOUND_MS));
    expect((await read()).map((p) => p.price.amount)).toEqual(['12.34', '12.34']);
    expect((await page()).map((p) => p.price.amount)).toEqual(['12.34', '12.34']);

    await sql('update products set on_hand = 40 where id = ?', [product.id]);
    await new Promise((r) => setTimeout(r, BOUND_MS));
    expect((await read()).map((p) => p.stock)).toEqual([40, 40]);
    expect((await page()).map((p) => p.stock)).toEqual([40, 40]);

    // Through a replica's own mutation: that replica sees it at once, the other within the bound.
    await post(replica.url, 'mutation($id: ID!) { setStock(productId: $id, quantity: 30) { stock } }', { id: product.id }, { authorization: `Bearer ${adminToken}` });
    expect((await post(replica.url, PRODUCT, { id: product.id })).data!.product.stock).toBe(30);
    await new Promise((r) => setTimeout(r, BOUND_MS));
    expect((await read()).map((p) => p.stock)).toEqual([30, 30]);
  });

  it('under concurrent writes no replica serves a value older than the bound, and ends on the last one', async () => {
    const admin = connect(stack.url, adminToken);
    const product = await createProduct(admin, { price: '5.00', stock: 1 });
    const committed: Array<{ value: number; at: number }> = [];
    const violations: string[] = [];
    const reader = async (url: string) => {
      const startedAt = Date.now();
      const stock = (await post(url, PRODUCT, { id: product.id })).data!.product.stock as number;
      const due = committed.filter((c) => c.at < startedAt - BOUND_MS).at(-1);
      if (due && stock < due.value) violations.push(`${url} served ${stock} after ${due.value} was committed ${startedAt - due.at} ms earlier`);
    };
    await readWhileWriting([stack.url, replica.url, stack.url, replica.url], reader, async () => {
      for (let value = 2; value <= 40; value++) {
        await sql('update products set on_hand = ? where id = ?', [value, product.id]);
        committed.push({ value, at: Date.now() });
        await new Promise((r) => setTimeout(r, 5 + (value % 4) * 10));
      }
    });
    expect(violations).toEqual([]);
    for (const url of [stack.url, replica.url]) expect((await post(url, PRODUCT, { id: product.id })).data!.product.stock).toBe(40);
  });

  it('answers the same with the cache on and off', async () => {
    const admin = connect(stack.url, adminToken);
    const category = (await post(stack.url, 'mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }',
      { i: { name: 'Read path', slug: `read-path-${Date.now()}` } }, { authorization: `Bearer ${adminToken}` })).data!.createCategory.id as string;
    const products = [];
    for (let i = 0; i < 4; i++) products.push(await createProduct(admin, { price: `${i + 1}.50`, stock: i, categoryId: category }));
    const queries: Array<[string, Record<string, unknown>]> = [
      [PAGE, { first: 1 }],
      [PAGE, { first: 6 }],
      [PRODUCT, { id: products[2].id }],
      ['query { categories { id name slug } }', {}],
      ['query { products(first: 5, filter: { inStock: true }, sort: PRICE_DESC) { totalCount edges { node { id stock } } } }', {}],
    ];
    const compare = async () => {
      for (const [query, variables] of queries) {
        await post(stack.url, query, variables); // fills the cache
        const [cached, plain] = await Promise.all([post(stack.url, query, variables), post(uncached.url, query, variables)]);
        expect(cached).toEqual(plain);
      }
    };
    await compare();
    // A category rename and a product crossing to no stock change listings and nested categories.
    await sql('update categories set name = ? where id = ?', ['Read path, renamed', category]);
    await sql('update products set on_hand = 0 where id = ?', [products[3].id]);
    // A change of stock alone is written into the cached answers rather than dropping them.
    await sql('update products set on_hand = 7 where id = ?', [products[1].id]);
    await new Promise((r) => setTimeout(r, BOUND_MS));
    await compare();
  });

  it('keeps cached reads through stock changes, written in from the events, under concurrent writers', async () => {
    const admin = connect(stack.url, adminToken);
    const products = [];
    for (let i = 0; i < 3; i++) products.push(await createProduct(admin, { price: '3.00', stock: 10 }));
    const ids = products.map((p) => p.id);
    const gateways = [stack.url, replica.url];
    // Stock only rises here, so "older" is "smaller", whichever writer committed first.
    const committed = new Map<string, Array<{ value: number; at: number }>>(ids.map((id) => [id, [{ value: 10, at: 0 }]]));
    const violations: string[] = [];
    const check = (url: string, startedAt: number, id: string, stock: number) => {
      const due = committed.get(id)!.filter((c) => c.at < startedAt - BOUND_MS).reduce((max, c) => Math.max(max, c.value), 0);
      if (stock < due) violations.push(`${url} served stock ${stock} of ${id}, ${due} was committed over ${BOUND_MS} ms before`);
    };
    await new Promise((r) => setTimeout(r, BOUND_MS)); // the creations' events are in
    for (const url of gateways) await post(url, PAGE, { first: 3 });
    const cache = catalogReads(replica.app).cache!;
    const before = { ...cache.stats };
    const reader = async (url: string) => {
      const startedAt = Date.now();
      const page = (await post(url, PAGE, { first: 3 })).data!.products.edges as Array<{ node: { id: string; stock: number } }>;
      for (const { node } of page) if (committed.has(node.id)) check(url, startedAt, node.id, node.stock);
      const one = (await post(url, PRODUCT, { id: ids[0] })).data!.product;
      check(url, startedAt, ids[0], one.stock);
    };
    // Three writers at once, one or two products per statement (as the hold step changes an order's lines).
    const writer = async (w: number) => {
      for (let n = 0; n < 15; n++) {
        const touched = n % 3 === 0 ? [ids[w], ids[(w + 1) % 3]] : [ids[(w + n) % 3]];
        const rows = (await sql('update products set on_hand = on_hand + 1 where id = any(?::uuid[]) returning id, on_hand - reserved as stock',
          [`{${touched.join(',')}}`])) as Array<{ id: string; stock: number }>;
        const at = Date.now();
        for (const row of rows) committed.get(row.id)!.push({ value: Number(row.stock), at });
        await new Promise((r) => setTimeout(r, 5 + ((w + n) % 3) * 10));
      }
    };
    await readWhileWriting([...gateways, ...gateways], reader, () => Promise.all([0, 1, 2].map(writer)));
    expect(violations).toEqual([]);
    const last = ids.map((id) => committed.get(id)!.reduce((max, c) => Math.max(max, c.value), 0));
    for (const url of gateways) {
      const page = (await post(url, PAGE, { first: 3 })).data!.products.edges as Array<{ node: { id: string; stock: number } }>;
      expect(ids.map((id) => page.find((e) => e.node.id === id)?.node.stock)).toEqual(last);
    }
    // Written in, not dropped: the page stayed cached through every change.
    expect(cache.stats.stockChanges).toBeGreaterThan(before.stockChanges);
    expect(cache.stats.invalidations).toBe(before.invalidations);
    expect(cache.stats.hits).toBeGreaterThan(before.hits);
  });
});
