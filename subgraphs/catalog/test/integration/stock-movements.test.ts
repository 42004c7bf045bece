import { randomUUID } from 'node:crypto';
import { unique } from '@storegraph/common/testing';
import { codes, createProduct, startCatalog, type Harness } from './catalog.harness';

let h: Harness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => {
  await h?.stop();
});

const SET_STOCK = `mutation ($id: ID!, $q: Int!) { setStock(productId: $id, quantity: $q) { id stock } }`;
const ADJUST = `mutation ($id: ID!, $delta: Int!, $reason: String!) { adjustStock(productId: $id, delta: $delta, reason: $reason) { id stock } }`;
const MOVEMENTS = `query ($id: ID!, $first: Int, $after: String) { stockMovements(productId: $id, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id at delta onHand reason orderId } } } }`;

interface MovementView {
  id: string;
  at: string;
  delta: number;
  onHand: number;
  reason: string;
  orderId: string | null;
}
interface MovementPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: MovementView }>;
}

async function history(productId: string): Promise<Array<Pick<MovementView, 'delta' | 'onHand' | 'reason'>>> {
  const res = await h.call<{ stockMovements: MovementPage }>(MOVEMENTS, { id: productId, first: 100 }, h.as('ADMIN'));
  expect(res.errors).toBeUndefined();
  return res.data!.stockMovements.edges.map(({ node }) => ({ delta: node.delta, onHand: node.onHand, reason: node.reason }));
}

const onHand = async (id: string) => (await h.sql<{ on_hand: number }>('select on_hand from products where id = ?', [id]))[0].on_hand;
const movementCount = async (id: string) =>
  (await h.sql<{ n: number }>('select count(*)::int as n from stock_movements where product_id = ?', [id]))[0].n;

describe('stock movements', () => {
  it('records the initial stock, every setStock (RESTOCK up, CORRECTION down) and adjustStock, newest first', async () => {
    const { id } = await createProduct(h, { sku: unique('MOVE'), stock: 10 });
    await h.call(SET_STOCK, { id, q: 15 }, h.as('ADMIN'));
    await h.call(SET_STOCK, { id, q: 15 }, h.as('ADMIN')); // no change, no movement
    await h.call(SET_STOCK, { id, q: 12 }, h.as('ADMIN'));
    const adjusted = await h.call(ADJUST, { id, delta: -2, reason: '  broken in the warehouse ' }, h.as('ADMIN'));
    expect(adjusted.data).toEqual({ adjustStock: { id, stock: 10 } });
    await h.call(ADJUST, { id, delta: 5, reason: 'found a box' }, h.as('ADMIN'));
    expect(await history(id)).toEqual([
      { delta: 5, onHand: 15, reason: 'found a box' },
      { delta: -2, onHand: 10, reason: 'broken in the warehouse' },
      { delta: -3, onHand: 12, reason: 'CORRECTION' },
      { delta: 5, onHand: 15, reason: 'RESTOCK' },
      { delta: 10, onHand: 10, reason: 'RESTOCK' },
    ]);
    const [sum] = await h.sql<{ s: number }>('select sum(delta)::int as s from stock_movements where product_id = ?', [id]);
    expect(sum.s).toBe(await onHand(id));
  });

  it('a product created with no stock has no movement', async () => {
    const { id } = await createProduct(h, { sku: unique('EMPTY'), stock: 0 });
    expect(await history(id)).toEqual([]);
  });

  it('adjustStock never takes units on hand below units reserved: CONFLICT, nothing written', async () => {
    const { id } = await createProduct(h, { sku: unique('HELD'), stock: 5 });
    await h.sql('update products set reserved = 3 where id = ?', [id]);
    expect(codes(await h.call(ADJUST, { id, delta: -3, reason: 'count' }, h.as('ADMIN')))).toEqual(['CONFLICT']);
    expect(codes(await h.call(SET_STOCK, { id, q: 2 }, h.as('ADMIN')))).toEqual(['CONFLICT']);
    expect([await onHand(id), await movementCount(id)]).toEqual([5, 1]);
    // Down to exactly the units reserved is allowed.
    expect((await h.call(ADJUST, { id, delta: -2, reason: 'count' }, h.as('ADMIN'))).data).toEqual({ adjustStock: { id, stock: 0 } });
  });

  it('refuses a zero delta, a blank or overlong reason (BAD_USER_INPUT), an unknown product (NOT_FOUND), a customer (FORBIDDEN)', async () => {
    const { id } = await createProduct(h, { sku: unique('BAD'), stock: 5 });
    expect(codes(await h.call(ADJUST, { id, delta: 0, reason: 'nothing' }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await h.call(ADJUST, { id, delta: 1, reason: '   ' }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await h.call(ADJUST, { id, delta: 1, reason: 'x'.repeat(201) }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await h.call(ADJUST, { id, delta: 2_147_483_647, reason: 'overflow' }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
    for (const unknown of [randomUUID(), 'nope']) {
      expect(codes(await h.call(ADJUST, { id: unknown, delta: 1, reason: 'r' }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
      expect(codes(await h.call(MOVEMENTS, { id: unknown }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
    }
    expect(codes(await h.call(ADJUST, { id, delta: 1, reason: 'r' }, h.as('CUSTOMER')))).toEqual(['FORBIDDEN']);
    expect(codes(await h.call(ADJUST, { id, delta: 1, reason: 'r' }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.call(MOVEMENTS, { id }, h.as('CUSTOMER')))).toEqual(['FORBIDDEN']);
    expect(codes(await h.call(MOVEMENTS, { id }))).toEqual(['UNAUTHENTICATED']);
    expect([await onHand(id), await movementCount(id)]).toEqual([5, 1]);
  });

  it('pages newest first with keyset cursors and a totalCount; bad first or cursor is BAD_USER_INPUT', async () => {
    const { id } = await createProduct(h, { sku: unique('PAGE'), stock: 1 });
    for (let i = 1; i <= 6; i += 1) await h.call(ADJUST, { id, delta: i, reason: `r${i}` }, h.as('ADMIN'));
    const reasons: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const res: { data?: { stockMovements: MovementPage } | null } = await h.call<{ stockMovements: MovementPage }>(
        MOVEMENTS,
        { id, first: 3, after },
        h.as('ADMIN'),
      );
      const connection = res.data!.stockMovements;
      expect(connection.totalCount).toBe(7);
      reasons.push(...connection.edges.map((e) => e.node.reason));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(reasons).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'RESTOCK']);
    expect(codes(await h.call(MOVEMENTS, { id, first: 101 }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await h.call(MOVEMENTS, { id, after: 'garbage' }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
  });

  it('costs as many statements for 50 movements as for 5', async () => {
    const { id } = await createProduct(h, { sku: unique('NPLUS'), stock: 1 });
    for (let i = 0; i < 60; i += 1) await h.sql(`insert into stock_movements (product_id, delta, on_hand, reason) values (?, 1, ?, 'RESTOCK')`, [id, i + 2]);
    const measure = async (first: number) => {
      const before = h.app.database.queryCount();
      const res = await h.call<{ stockMovements: MovementPage }>(MOVEMENTS, { id, first }, h.as('ADMIN'));
      expect(res.data!.stockMovements.edges).toHaveLength(first);
      return h.app.database.queryCount() - before;
    };
    expect(await measure(50)).toBe(await measure(5));
  });
});
