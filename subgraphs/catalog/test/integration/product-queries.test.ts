import { randomUUID } from 'node:crypto';
import { unique } from '@storegraph/common/testing';
import { PRODUCT_FIELDS, codes, createCategory, createProduct, startCatalog, type Harness, type ProductView } from './catalog.harness';

let h: Harness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => {
  await h?.stop();
});

const PRODUCTS = `query ($first: Int, $after: String, $filter: ProductFilter) {
  products(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id sku stock category { id } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

interface Connection {
  edges: Array<{ cursor: string; node: { id: string; sku: string; stock: number; category: { id: string } | null } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

async function list(variables: Record<string, unknown>): Promise<Connection> {
  const res = await h.call<{ products: Connection }>(PRODUCTS, variables);
  if (!res.data) throw new Error(`products failed: ${JSON.stringify(res.errors)}`);
  return res.data.products;
}

describe('product', () => {
  it('returns a product to anyone', async () => {
    const created = await createProduct(h, { sku: unique('ONE'), price: '2.5', stock: 3 });
    const res = await h.call<{ product: ProductView }>(`query ($id: ID!) { product(id: $id) { ${PRODUCT_FIELDS} } }`, { id: created.id });
    expect(res.errors).toBeUndefined();
    expect(res.data!.product).toEqual(created);
  });

  it('is null for an unknown id or one that is not a UUID', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const res = await h.call(`query ($id: ID!) { product(id: $id) { id } }`, { id });
      expect(res).toEqual({ data: { product: null } });
    }
  });
});

describe('products', () => {
  it('walks every page in creation order with consistent page info', async () => {
    const categoryId = await createCategory(h, unique('walk'));
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) ids.push((await createProduct(h, { sku: unique(`WALK${i}`), categoryId })).id);

    const seen: string[] = [];
    let after: string | null = null;
    for (const expected of [
      { size: 3, hasNextPage: true },
      { size: 3, hasNextPage: true },
      { size: 1, hasNextPage: false },
    ]) {
      const page: Connection = await list({ first: 3, after, filter: { categoryId } });
      expect(page.totalCount).toBe(7);
      expect(page.edges).toHaveLength(expected.size);
      expect(page.pageInfo.hasNextPage).toBe(expected.hasNextPage);
      expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1].cursor);
      expect(page.edges.every((e) => e.node.category?.id === categoryId)).toBe(true);
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);

    const past = await list({ first: 3, after, filter: { categoryId } });
    expect(past).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 7 });
  });

  it('defaults to 20 per page', async () => {
    const categoryId = await createCategory(h, unique('many'));
    for (let i = 0; i < 21; i += 1) await createProduct(h, { sku: unique(`MANY${i}`), categoryId });
    const page = await list({ filter: { categoryId } });
    expect(page.edges).toHaveLength(20);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.totalCount).toBe(21);
  });

  it('loads the categories of a whole page in one query', async () => {
    const categoryId = await createCategory(h, unique('batch'));
    for (let i = 0; i < 5; i += 1) await createProduct(h, { sku: unique(`BATCH${i}`), categoryId });
    const before = h.app.database.queryCount();
    const page = await list({ first: 5, filter: { categoryId } });
    expect(page.edges).toHaveLength(5);
    // the page with its count (one statement) + one category batch
    expect(h.app.database.queryCount() - before).toBe(2);
  });

  it.each([0, 101, -1])('answers BAD_USER_INPUT for first = %i', async (first) => {
    expect(codes(await h.call(PRODUCTS, { first }))).toEqual(['BAD_USER_INPUT']);
  });

  it('answers BAD_USER_INPUT for a cursor it did not issue', async () => {
    for (const after of ['garbage', Buffer.from('v1:not-a-uuid').toString('base64url'), randomUUID()]) {
      expect(codes(await h.call(PRODUCTS, { after }))).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('matches search words in the name and in the description', async () => {
    const word = `zq${unique('w').replace(/[^a-z0-9]/g, '')}`;
    const inName = await createProduct(h, { sku: unique('SN'), name: `Kettle ${word}` });
    const inDescription = await createProduct(h, { sku: unique('SD'), name: 'Teapot', description: `A fine ${word} teapot` });
    await createProduct(h, { sku: unique('SX'), name: 'Unrelated', description: 'nothing to see' });

    const page = await list({ filter: { search: word } });
    expect(page.edges.map((e) => e.node.id)).toEqual([inName.id, inDescription.id]);
    expect(page.totalCount).toBe(2);

    const both = await list({ filter: { search: `${word} kettles` } });
    expect(both.edges.map((e) => e.node.id)).toEqual([inName.id]);
  });

  it('filters to products in stock when inStock is true', async () => {
    const categoryId = await createCategory(h, unique('stock'));
    const available = await createProduct(h, { sku: unique('AV'), categoryId, stock: 5 });
    const empty = await createProduct(h, { sku: unique('EM'), categoryId, stock: 0 });
    const held = await createProduct(h, { sku: unique('HE'), categoryId, stock: 2 });
    await h.sql('update products set reserved = on_hand where id = ?', [held.id]);

    const inStock = await list({ filter: { categoryId, inStock: true } });
    expect(inStock.edges.map((e) => e.node.id)).toEqual([available.id]);
    expect(inStock.totalCount).toBe(1);

    for (const flag of [false, null]) {
      const all = await list({ filter: { categoryId, inStock: flag } });
      expect(all.edges.map((e) => [e.node.id, e.node.stock])).toEqual([
        [available.id, 5],
        [empty.id, 0],
        [held.id, 0],
      ]);
    }
  });

  it('is empty for a category that does not exist', async () => {
    for (const categoryId of [randomUUID(), 'not-a-uuid']) {
      expect(await list({ filter: { categoryId } })).toEqual({
        edges: [],
        pageInfo: { hasNextPage: false, endCursor: null },
        totalCount: 0,
      });
    }
  });
});
