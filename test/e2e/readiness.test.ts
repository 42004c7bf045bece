import type { Knex } from '@mikro-orm/postgresql';
import { freeTcpPort, waitFor } from '@storegraph/common/testing';
import { OwnNatsServer } from './support/nats-server';
import { startStack, type Stack } from './support/stack';

/**
 * /ready means "can serve": a subgraph answers 503 while its database or NATS does not
 * answer, and the gateway answers 503 naming every subgraph that is not ready, while
 * /health (alive) stays 200 throughout. NATS is a server of this test's own, so stopping
 * it disturbs no one else.
 */
describe('readiness', () => {
  let nats: OwnNatsServer;
  let stack: Stack;

  beforeAll(async () => {
    nats = new OwnNatsServer(await freeTcpPort());
    await nats.start();
    stack = await startStack({ env: { NATS_URL: nats.url, DATABASE_ACQUIRE_TIMEOUT_MS: '500' } });
  });

  afterAll(async () => {
    await stack?.stop();
    await nats?.stop();
    nats?.remove();
  });

  async function probe(graphqlUrl: string, path: '/ready' | '/health'): Promise<{ status: number; body: { status: string; reason?: string } }> {
    const response = await fetch(new URL(path, graphqlUrl), { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
  }

  it('is ready when every part answers', async () => {
    for (const url of [stack.url, ...Object.values(stack.urls)]) expect(await probe(url, '/ready')).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it("says not ready while a subgraph's database cannot give a connection, and the gateway names that subgraph", async () => {
    const knex: Knex = stack.subgraphs.catalog.database.orm.em.getConnection().getKnex();
    const pool = knex.client.pool as { max: number };
    const held: unknown[] = [];
    for (let i = 0; i < pool.max; i += 1) held.push(await knex.client.acquireConnection());
    try {
      const catalog = await probe(stack.urls.catalog, '/ready');
      expect(catalog.status).toBe(503);
      expect(catalog.body.status).toBe('not ready');
      expect(await probe(stack.urls.catalog, '/health')).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await probe(stack.url, '/ready')).toEqual({ status: 503, body: { status: 'not ready', reason: 'subgraphs not ready: catalog' } });
      expect((await probe(stack.urls.orders, '/ready')).status).toBe(200);
    } finally {
      for (const connection of held) await knex.client.releaseConnection(connection);
    }
    expect((await probe(stack.urls.catalog, '/ready')).status).toBe(200);
    expect((await probe(stack.url, '/ready')).status).toBe(200);
  });

  it('says not ready while NATS is down, and ready again once it is back', async () => {
    await nats.stop();
    try {
      const catalog = await probe(stack.urls.catalog, '/ready');
      expect(catalog).toEqual({ status: 503, body: { status: 'not ready', reason: 'NATS does not answer' } });
      // Users takes part in no event flow: it stays ready.
      expect((await probe(stack.urls.users, '/ready')).status).toBe(200);
      expect(await probe(stack.url, '/ready')).toEqual({
        status: 503,
        body: { status: 'not ready', reason: 'subgraphs not ready: catalog, orders, payments' },
      });
    } finally {
      await nats.start();
    }
    await waitFor(async () => (await probe(stack.url, '/ready')).status === 200, { timeoutMs: 20_000, what: 'the gateway to be ready again' });
  });
});
