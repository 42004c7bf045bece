import { encodeCursor, encodeKeysetCursor } from '@storegraph/common';
import { unique } from '@storegraph/common/testing';
import { codes, createCategory, createProduct, startCatalog, type Harness } from './catalog.harness';

let h: Harness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => {
  await h?.stop();
});

const PRODUCTS = `query ($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, filter: $filter, sort: $sort) {
    edges { cursor node { id name price { amount } rating { average count } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

type Sort = 'NEWEST' | 'PRICE_ASC' | 'PRICE_DESC' | 'NAME_ASC' | 'RATING' | 'RELEVANCE';

interface Node {
  id: string;
  name: string;
  price: { amount: string };
  rating: { average: number | null; count: number };
}

interface Connection {
  edges: Array<{ cursor: string; node: Node }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

async function list(variables: Record<string, unknown>): Promise<Connection> {
  const res = await h.call<{ products: Connection }>(PRODUCTS, variables);
  if (!res.data) throw new Error(`products failed: ${JSON.stringify(res.errors)}`);
  return res.data.products;
}

/** Every page of a listing, `first` at a time; checks the page info on the way. */
async function walk(first: number, variables: Record<string, unknown>): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 50; pages += 1) {
    const page: Connection = await list({ ...variables, first, after });
    seen.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return seen;
    expect(page.edges).toHaveLength(first);
    expect(page.pageInfo.endCursor).toBe(page.edges[first - 1].cursor);
    after = page.pageInfo.endCursor;
  }
  throw new Error('listing did not end');
}

interface Made {
  id: string;
  name: string;
  priceMinor: number;
}

/** Products of a fresh category, created one by one (creation order = array order). */
async function catalogOf(specs: Array<{ name: string; price: string }>): Promise<{ categoryId: string; made: Made[] }> {
  const categoryId = await createCategory(h, unique('sort'));
  const made: Made[] = [];
  for (const spec of specs) {
    const product = await createProduct(h, { sku: unique('S'), name: spec.name, price: spec.price, categoryId });
    made.push({ id: product.id, name: spec.name, priceMinor: Math.round(Number(spec.price) * 100) });
  }
  return { categoryId, made };
}

const byId = (a: Made, b: Made) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// Prices and names with ties (same price, same name up to case), so the id must decide.
const SPECS = [
  { name: 'banana', price: '3.00' },
  { name: 'Apple', price: '1.50' },
  { name: 'cherry', price: '3.00' },
  { name: 'apple', price: '9.99' },
  { name: 'Date', price: '0' },
  { name: 'elder', price: '3.00' },
  { name: 'Fig', price: '1.50' },
];

describe('products(sort:)', () => {
  it('without sort keeps version 1 creation order', async () => {
    const { categoryId, made } = await catalogOf(SPECS);
    expect(await walk(2, { filter: { categoryId } })).toEqual(made.map((p) => p.id));
  });

  it('NEWEST lists the last created first, across pages', async () => {
    const { categoryId, made } = await catalogOf(SPECS);
    expect(await walk(3, { filter: { categoryId }, sort: 'NEWEST' })).toEqual(made.map((p) => p.id).reverse());
  });

  it('PRICE_ASC orders by price, ties by id, across pages of every size', async () => {
    const { categoryId, made } = await catalogOf(SPECS);
    const expected = [...made].sort((a, b) => a.priceMinor - b.priceMinor || byId(a, b)).map((p) => p.id);
    for (const first of [1, 2, 3, 7]) expect(await walk(first, { filter: { categoryId }, sort: 'PRICE_ASC' })).toEqual(expected);
  });

  it('PRICE_DESC orders by price from the top, ties by id from the top', async () => {
    const { categoryId, made } = await catalogOf(SPECS);
    const expected = [...made].sort((a, b) => b.priceMinor - a.priceMinor || byId(b, a)).map((p) => p.id);
    for (const first of [1, 2, 4]) expect(await walk(first, { filter: { categoryId }, sort: 'PRICE_DESC' })).toEqual(expected);
  });

  it('NAME_ASC orders alphabetically whatever the case, ties by id', async () => {
    const { categoryId, made } = await catalogOf(SPECS);
    const lower = (p: Made) => p.name.toLowerCase();
    const expected = [...made].sort((a, b) => (lower(a) < lower(b) ? -1 : lower(a) > lower(b) ? 1 : byId(a, b))).map((p) => p.id);
    const names = (await list({ first: 7, filter: { categoryId }, sort: 'NAME_ASC' })).edges.map((e) => e.node.name.toLowerCase());
    expect(names).toEqual(['apple', 'apple', 'banana', 'cherry', 'date', 'elder', 'fig']);
    for (const first of [1, 2, 3]) expect(await walk(first, { filter: { categoryId }, sort: 'NAME_ASC' })).toEqual(expected);
  });

  it('RATING puts the best average first and unrated products last, ties by id', async () => {
    const { categoryId, made } = await catalogOf(SPECS);
    // The reviews work keeps these columns; here they are set as it would set them.
    const ratings: Array<[number, number]> = [[0, 0], [9, 2], [13, 3], [0, 0], [4, 1], [9, 2], [5, 1]];
    for (const [index, [sum, count]] of ratings.entries()) {
      await h.sql('update products set rating_sum = ?, rating_count = ? where id = ?', [sum, count, made[index].id]);
    }
    const average = (index: number) => (ratings[index][1] === 0 ? 0 : ratings[index][0] / ratings[index][1]);
    const expected = made
      .map((p, index) => ({ ...p, average: average(index) }))
      .sort((a, b) => b.average - a.average || byId(b, a))
      .map((p) => p.id);
    expect(await walk(2, { filter: { categoryId }, sort: 'RATING' })).toEqual(expected);

    const page = await list({ first: 7, filter: { categoryId }, sort: 'RATING' });
    expect(page.edges.map((e) => e.node.rating)).toEqual([
      { average: 5, count: 1 },
      { average: 4.5, count: 2 },
      { average: 4.5, count: 2 },
      { average: 13 / 3, count: 3 },
      { average: 4, count: 1 },
      { average: null, count: 0 },
      { average: null, count: 0 },
    ]);
  });

  it('RELEVANCE ranks a match in the name above one in the description, and pages by rank', async () => {
    const word = `zq${unique('r').replace(/[^a-z0-9]/g, '')}`;
    const categoryId = await createCategory(h, unique('rel'));
    const make = (name: string, description: string) => createProduct(h, { sku: unique('R'), name, description, categoryId });
    const inDescription = await make('Teapot', `A fine ${word} teapot`);
    const twiceInDescription = await make('Kettle', `${word} and ${word} again`);
    const inName = await make(`Mug ${word}`, 'plain');
    const tieA = await make(`Cup ${word}`, 'plain');
    await make('Unrelated', 'nothing to see');

    const page = await list({ first: 10, filter: { search: word }, sort: 'RELEVANCE' });
    expect(page.totalCount).toBe(4);
    const order = page.edges.map((e) => e.node.id);
    // Name matches (weight A) first, the same rank broken by id descending; then the
    // description matches, more occurrences first.
    const names = [inName.id, tieA.id].sort().reverse();
    expect(order).toEqual([...names, twiceInDescription.id, inDescription.id]);
    expect(await walk(1, { filter: { search: word, categoryId }, sort: 'RELEVANCE' })).toEqual(order);

    // A rank is only a position for the search that produced it.
    const after = page.edges[0].cursor;
    expect(codes(await h.call(PRODUCTS, { first: 1, after, filter: { search: `${word} mug` }, sort: 'RELEVANCE' }))).toEqual(['BAD_USER_INPUT']);
    const same = await list({ first: 1, after, filter: { search: ` ${word} ` }, sort: 'RELEVANCE' });
    expect(same.edges.map((e) => e.node.id)).toEqual([order[1]]);
  });

  it('RELEVANCE without a search is NEWEST, and shares its cursors', async () => {
    const { categoryId, made } = await catalogOf(SPECS);
    const expected = made.map((p) => p.id).reverse();
    expect(await walk(3, { filter: { categoryId }, sort: 'RELEVANCE' })).toEqual(expected);
    const newest = await list({ first: 2, filter: { categoryId }, sort: 'NEWEST' });
    const next = await list({ first: 2, after: newest.pageInfo.endCursor, filter: { categoryId, search: '  ' }, sort: 'RELEVANCE' });
    expect(next.edges.map((e) => e.node.id)).toEqual(expected.slice(2, 4));
  });

  it.each<Sort>(['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'NAME_ASC', 'RATING'])(
    '%s neither repeats nor skips a row when products are added between pages',
    async (sort) => {
      const { categoryId, made } = await catalogOf(SPECS);
      const first = await list({ first: 3, filter: { categoryId }, sort });
      // New rows on both sides of the cursor: before it (cheap, early names) and after it.
      for (const spec of [
        { name: 'aaa', price: '0' },
        { name: 'zzz', price: '99.00' },
        { name: 'Banana', price: '3.00' },
      ]) {
        await createProduct(h, { sku: unique('NEW'), name: spec.name, price: spec.price, categoryId });
      }
      const seen = first.edges.map((e) => e.node.id);
      let after = first.pageInfo.endCursor;
      for (;;) {
        const page = await list({ first: 3, after, filter: { categoryId }, sort });
        seen.push(...page.edges.map((e) => e.node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const product of made) expect(seen).toContain(product.id);
    },
  );

  it('answers BAD_USER_INPUT for a cursor of another sort order', async () => {
    const { categoryId } = await catalogOf(SPECS.slice(0, 3));
    const byPrice = (await list({ first: 1, filter: { categoryId }, sort: 'PRICE_ASC' })).pageInfo.endCursor;
    const unsorted = (await list({ first: 1, filter: { categoryId } })).pageInfo.endCursor;
    const cases: Array<[string | null, Sort | null]> = [
      [byPrice, 'PRICE_DESC'],
      [byPrice, 'NAME_ASC'],
      [byPrice, null],
      [unsorted, 'NEWEST'],
      [unsorted, 'PRICE_ASC'],
    ];
    for (const [after, sort] of cases) {
      const res = await h.call(PRODUCTS, { first: 1, after, filter: { categoryId }, sort });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('answers BAD_USER_INPUT, never an SQL error, for a cursor with a forged key', async () => {
    const id = (await createProduct(h, { sku: unique('FORGE') })).id;
    const cases: Array<[string, Sort]> = [
      [encodeKeysetCursor('PRICE_ASC', 'cheap', id), 'PRICE_ASC'],
      [encodeKeysetCursor('PRICE_ASC', '99999999999', id), 'PRICE_ASC'],
      [encodeKeysetCursor('PRICE_DESC', '9999999999', id), 'PRICE_DESC'],
      
      [encodeKeysetCursor('NAME_ASC', 'a\u0000b', id), 'NAME_ASC'],
      [encodeKeysetCursor('RATING', '4.5; drop table products', id), 'RATING'],
      
      [encodeKeysetCursor('NAME_ASC', 'x', 'not-a-uuid'), 'NAME_ASC'],
      [Buffer.from('v2:{"not":"an array"}').toString('base64url'), 'NAME_ASC'],
      [Buffer.from('v2:[1,2,3]').toString('base64url'), 'NAME_ASC'],
      [encodeCursor(id), 'NAME_ASC'],
      ['garbage', 'NEWEST'],
    ];
    for (const [after, sort] of cases) {
      const res = await h.call(PRODUCTS, { first: 1, after, filter: { search: 'kettle' }, sort });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    }

    // A genuine RELEVANCE cursor (it names its search) with the rank replaced.
    await createProduct(h, { sku: unique('FORGE'), name: 'Forged kettle' });
    const genuine = (await list({ first: 1, filter: { search: 'kettle' }, sort: 'RELEVANCE' })).edges[0].cursor;
    const [order, , lastId] = JSON.parse(Buffer.from(genuine, 'base64url').toString('utf8').slice(3)) as string[];
    expect(order).toMatch(/^RELEVANCE:/);
    for (const rank of ['NaN', '1e999', '0.5)']) {
      const res = await h.call(PRODUCTS, { first: 1, after: encodeKeysetCursor(order, rank, lastId), filter: { search: 'kettle' }, sort: 'RELEVANCE' });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('refuses a sort that does not exist', async () => {
    expect(codes(await h.call(PRODUCTS, { sort: 'CHEAPEST' }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('products(filter: { minPrice, maxPrice })', () => {
  it('keeps products priced within the inclusive bounds, in the count too', async () => {
    const { categoryId, made } = await catalogOf(SPECS);
    const priced = (min: number, max: number) =>
      made.filter((p) => p.priceMinor >= min && p.priceMinor <= max).sort((a, b) => a.priceMinor - b.priceMinor || byId(a, b));

    const between = await list({ first: 10, filter: { categoryId, minPrice: '1.5', maxPrice: '3' }, sort: 'PRICE_ASC' });
    expect(between.edges.map((e) => e.node.id)).toEqual(priced(150, 300).map((p) => p.id));
    expect(between.totalCount).toBe(5);

    const from = await list({ first: 10, filter: { categoryId, minPrice: '3.00' }, sort: 'PRICE_ASC' });
    expect(from.edges.map((e) => e.node.price.amount)).toEqual(['3.00', '3.00', '3.00', '9.99']);
    const upTo = await list({ first: 10, filter: { categoryId, maxPrice: '0.00' } });
    expect(upTo.edges.map((e) => e.node.name)).toEqual(['Date']);
    const exact = await list({ first: 10, filter: { categoryId, minPrice: '9.99', maxPrice: '9.99' } });
    expect(exact.totalCount).toBe(1);
    expect(await walk(2, { filter: { categoryId, minPrice: '1.00', maxPrice: '5' }, sort: 'PRICE_DESC' })).toEqual(
      priced(100, 500).reverse().map((p) => p.id),
    );
  });

  it.each([
    [{ minPrice: '-1' }, 'minPrice'],
    [{ minPrice: '1.999' }, 'minPrice'],
    [{ maxPrice: 'ten' }, 'maxPrice'],
    [{ maxPrice: '' }, 'maxPrice'],
    [{ maxPrice: '99999999999' }, 'maxPrice'],
    [{ minPrice: '5.00', maxPrice: '4.99' }, 'minPrice'],
  ])('answers BAD_USER_INPUT for %j', async (bounds, field) => {
    const res = await h.call(PRODUCTS, { filter: bounds });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0].extensions?.field).toBe(field);
    expect(res.errors?.[0].message).toMatch(field);
  });
});
