import type { Knex } from '@mikro-orm/postgresql';
import { ProductDocument, UpdateProductDocument } from '@storegraph/sdk';
import { startShop, type Shop } from './support/stack';
import { createProduct, failure } from './support/client';

const ACQUIRE_TIMEOUT_MS = 1000;
const STATEMENT_TIMEOUT_MS = 1000;

/**
 * PostgreSQL trouble fails fast: a request that cannot get a connection, or whose
 * statement cannot finish, is answered within seconds with SERVICE_UNAVAILABLE (HTTP 503
 * when nothing could be served) instead of waiting on knex's 60 s default or forever.
 */
describe('a database that cannot serve', () => {
  let shop: Shop;

  beforeAll(async () => {
    shop = await startShop({
      env: { DATABASE_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS), DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) },
    });
  });

  afterAll(() => shop?.stack.stop());

  function catalogKnex(): Knex {
    return shop.stack.subgraphs.catalog.database.orm.em.getConnection().getKnex();
  }

  it('answers SERVICE_UNAVAILABLE within seconds while every pool connection is held, and serves again once they return', async () => {
    const product = await createProduct(shop.admin, { price: '3.00', stock: 1 });
    const pool = catalogKnex().client.pool as { max: number };
    const held: unknown[] = [];
    for (let i = 0; i < pool.max; i += 1) held.push(await catalogKnex().client.acquireConnection());
    try {
      const started = Date.now();
      const error = await failure(shop.api.request(ProductDocument, { id: product.id }));
      const elapsed = Date.now() - started;
      expect(error.codes).toEqual(['SERVICE_UNAVAILABLE']);
      expect(error.status).toBe(503);
      expect(elapsed).toBeGreaterThanOrEqual(ACQUIRE_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(ACQUIRE_TIMEOUT_MS + 3000);
    } finally {
      for (const connection of held) await catalogKnex().client.releaseConnection(connection);
    }
    const { product: served } = await shop.api.request(ProductDocument, { id: product.id });
    expect(served?.id).toBe(product.id);
  });

  it('cancels a statement past statement_timeout (a row lock held elsewhere) and changes nothing', async () => {
    const product = await createProduct(shop.admin, { price: '5.00', stock: 1, name: 'Locked kettle' });
    const blocker = await catalogKnex().client.acquireConnection();
    const query = (text: string, params: unknown[] = []) =>
      (blocker as { query(text: string, params: unknown[]): Promise<unknown> }).query(text, params);
    await query('begin');
    try {
      await query('select id from products where id = $1 for update', [product.id]);
      const started = Date.now();
      const error = await failure(shop.admin.request(UpdateProductDocument, { id: product.id, input: { name: 'Renamed kettle' } }));
      expect(error.codes).toEqual(['SERVICE_UNAVAILABLE']);
      expect(Date.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS + 3000);
    } finally {
      await query('rollback');
      await catalogKnex().client.releaseConnection(blocker);
    }
    const { product: after } = await shop.api.request(ProductDocument, { id: product.id });
    expect(after?.name).toBe('Locked kettle');
  });
});
