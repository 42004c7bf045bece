import type { HttpReply } from '@storegraph/common';
import { catalogEntities, LIST_TAG, PUBLIC_SURFACES, publicRepresentations, shapeOf, type FetchShape } from '../../src/read-path/public-reads';
import { ReadCache, stockShownIn, type CachedAnswer } from '../../src/read-path/read-cache';
import { SharedReads } from '../../src/read-path/shared-reads';

const catalog = PUBLIC_SURFACES.catalog;
const reply = (data: unknown): HttpReply => ({ status: 200, body: JSON.stringify({ data }), contentType: 'application/json' });
const catalogTags = (shape: FetchShape, data: Record<string, unknown>, variables: Record<string, unknown> | undefined) =>
  catalogEntities(shape, data, variables)?.tags ?? null;
/** An answer as SharedReads hands it to the cache. */
const answer = (data: unknown, shape?: FetchShape, variables?: Record<string, unknown>): CachedAnswer => {
  const body = { data };
  const products = shape ? catalogEntities(shape, data as Record<string, unknown>, variables)!.products : [];
  return { reply: { status: 200, body: JSON.stringify(body), contentType: 'application/json' }, body, stockShown: stockShownIn(products) };
};

describe("catalog's public surface", () => {
  it('shares and caches a page of products', () => {
    const shape = shapeOf(catalog, 'query P__catalog__0($f: Int) { products(first: $f) { edges { node { id name price { amount } } } } }');
    expect(shape).toEqual({ rootFields: [{ name: 'products', key: 'products' }], cacheable: true });
  });

  it.each([
    ['a mutation', 'mutation { setStock(productId: "x", quantity: 1) { id } }'],
    ['a wishlist', 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { wishlist { edges { node { id } } } } } }'],
    ['stock movements', 'query { stockMovements(productId: "x") { totalCount } }'],
    ['an unknown root field', 'query { somethingNew { id } }'],
    ['two operations', 'query A { categories { id } } query B { categories { id } }'],
    ['an unparsable document', 'query {'],
  ])('keeps %s private', (_what, query) => {
    expect(shapeOf(catalog, query).rootFields).toBeNull();
  });

  it('shares but never caches reviews (author names live in users) or aliased fields', () => {
    expect(shapeOf(catalog, 'query { product(id: "x") { id reviews { edges { node { authorName } } } } }')).toMatchObject({ cacheable: false });
    expect(shapeOf(catalog, 'query { product(id: "x") { id: sku name } }')).toMatchObject({ cacheable: false });
  });

  it('takes _entities as public only when every representation is a Product', () => {
    expect(publicRepresentations(catalog, { representations: [{ __typename: 'Product', id: 'a' }] })).toBe(true);
    expect(publicRepresentations(catalog, { representations: [{ __typename: 'Product', id: 'a' }, { __typename: 'User', id: 'u' }] })).toBe(false);
    expect(publicRepresentations(catalog, {})).toBe(false);
  });

  it('tags answers by the products they contain, and refuses to tag what it cannot name', () => {
    const page = shapeOf(catalog, 'query { products { edges { node { id name } } } }');
    expect(catalogTags(page, { products: { edges: [{ node: { id: 'a' } }, { node: { id: 'b' } }] } }, undefined)).toEqual([LIST_TAG, 'a', 'b']);
    expect(catalogTags(page, { products: { edges: [{ node: { name: 'no id' } }] } }, undefined)).toBeNull();
    const one = shapeOf(catalog, 'query { product(id: "a") { id } }');
    expect(catalogTags(one, { product: null }, undefined)).toEqual([LIST_TAG]);
    const entities = shapeOf(catalog, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { name } } }');
    expect(catalogTags(entities, { _entities: [{ name: 'x' }] }, { representations: [{ __typename: 'Product', id: 'p' }] })).toEqual(['p']);
  });
});

describe('ReadCache', () => {
  let now = 0;
  const cache = () => {
    const c = new ReadCache(1000, 2, () => now);
    c.setActive(true);
    return c;
  };

  it('serves an entry until its tag is invalidated or its TTL ends', () => {
    now = 0;
    const c = cache();
    c.set('k', answer(1), ['a'], c.ticket());
    expect(c.get('k')).toBeDefined();
    c.invalidate(['b']);
    expect(c.get('k')).toBeDefined();
    c.invalidate(['a']);
    expect(c.get('k')).toBeUndefined();
    c.set('k', answer(2), ['a'], c.ticket());
    now = 1000;
    expect(c.get('k')).toBeUndefined();
  });

  it('refuses an answer whose fetch started before an invalidation of one of its tags', () => {
    const c = cache();
    const ticket = c.ticket();
    c.invalidate(['a']);
    c.set('k', answer(1), ['a'], ticket);
    expect(c.get('k')).toBeUndefined();
    c.set('k', answer(1), ['b'], ticket);
    expect(c.get('k')).toBeDefined();
  });

  it('refuses every answer begun before a flush, and serves nothing while off', () => {
    const c = cache();
    const ticket = c.ticket();
    c.flush();
    c.set('k', answer(1), [], ticket);
    expect(c.get('k')).toBeUndefined();
    c.setActive(false);
    c.set('k', answer(1), [], c.ticket());
    expect(c.get('k')).toBeUndefined();
  });

  it('evicts the least recently used past its size', () => {
    now = 0;
    const c = cache();
    c.set('a', answer(1), [], c.ticket());
    c.set('b', answer(2), [], c.ticket());
    c.get('a');
    c.set('c', answer(3), [], c.ticket());
    expect([c.get('a'), c.get('b'), c.get('c')].map(Boolean)).toEqual([true, false, true]);
  });
});

describe('ReadCache and stock changes', () => {
  const page = shapeOf(catalog, 'query($f: Int) { products(first: $f) { edges { node { id stock } } } }');
  const pageOf = (...stocks: Array<[string, number]>) => ({ products: { edges: stocks.map(([id, stock]) => ({ node: { id, stock } })) } });
  const stocksIn = (r: HttpReply | undefined) =>
    (JSON.parse(r!.body) as { data: ReturnType<typeof pageOf> }).data.products.edges.map((e) => e.node.stock);
  const cache = () => {
    const c = new ReadCache(60_000, 100);
    c.setActive(true);
    return c;
  };

  it('writes a stock change into the cached entries that show the product, and keeps them', () => {
    const c = cache();
    c.set('p1', answer(pageOf(['a', 5], ['b', 7]), page), [LIST_TAG, 'a', 'b'], c.ticket());
    c.set('p2', answer(pageOf(['a', 5]), page), [LIST_TAG, 'a'], c.ticket());
    c.changeStock(['a'], [4], 1);
    expect(stocksIn(c.get('p1'))).toEqual([4, 7]);
    expect(stocksIn(c.get('p2'))).toEqual([4]);
    c.changeStock(['b', 'a'], [6, 3], 2);
    expect(stocksIn(c.get('p1'))).toEqual([3, 6]);
    expect(c.stats.invalidations).toBe(0);
  });

  it('writes stock into entity answers by their representations, even when `id` is not selected', () => {
    const c = cache();
    const shape = shapeOf(catalog, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { name stock } } }');
    const variables = { representations: [{ __typename: 'Product', id: 'a' }, { __typename: 'Product', id: 'b' }] };
    c.set('e', answer({ _entities: [{ name: 'A', stock: 1 }, { name: 'B', stock: 2 }] }, shape, variables), ['a', 'b'], c.ticket());
    c.changeStock(['b'], [9], 1);
    expect(JSON.parse(c.get('e')!.body).data._entities).toEqual([{ name: 'A', stock: 1 }, { name: 'B', stock: 9 }]);
  });

  it('ignores a stock change older than the last change seen of its product (an event published twice, late)', () => {
    const c = cache();
    c.set('p', answer(pageOf(['a', 5]), page), [LIST_TAG, 'a'], c.ticket());
    c.changeStock(['a'], [3], 10);
    c.changeStock(['a'], [4], 9);
    expect(stocksIn(c.get('p'))).toEqual([3]);
    // After a change of something else (dropped, fetched anew), an older stock change is ignored too.
    c.invalidate(['a', LIST_TAG], 11);
    c.set('p', answer(pageOf(['a', 2]), page), [LIST_TAG, 'a'], c.ticket());
    c.changeStock(['a'], [8], 10);
    expect(stocksIn(c.get('p'))).toEqual([2]);
  });

  it('writes the stock changes announced while a fetch was out into its answer before storing it', () => {
    const c = cache();
    const ticket = c.ticket();
    c.changeStock(['a'], [1], 1);
    c.changeStock(['c'], [0], 2);
    const late = answer(pageOf(['a', 5], ['b', 7]), page);
    c.set('p', late, [LIST_TAG, 'a', 'b'], ticket);
    expect(stocksIn(c.get('p'))).toEqual([1, 7]);
    expect(stocksIn(late.reply)).toEqual([1, 7]);
    // A fetch begun after the change keeps what it read.
    c.set('q', answer(pageOf(['a', 6]), page), [LIST_TAG, 'a'], c.ticket());
    expect(stocksIn(c.get('q'))).toEqual([6]);
  });

  it('forgets stock changes with a flush, and a stock change never revives a dropped entry', () => {
    const c = cache();
    c.set('p', answer(pageOf(['a', 5]), page), [LIST_TAG, 'a'], c.ticket());
    c.invalidate(['a']);
    c.changeStock(['a'], [4], 1);
    expect(c.get('p')).toBeUndefined();
    const ticket = c.ticket();
    c.flush();
    c.set('p', answer(pageOf(['a', 5]), page), [LIST_TAG, 'a'], ticket);
    expect(c.get('p')).toBeUndefined();
  });
});

describe('SharedReads', () => {
  const query = 'query { products { edges { node { id } } } }';

  it('sends identical fetches in flight once, and a fetch after an invalidation anew', async () => {
    const c = new ReadCache(60_000, 100);
    c.setActive(true);
    const reads = new SharedReads('catalog', catalog, c);
    const read = reads.classify(query, {})!;
    let sent = 0;
    const releases: Array<() => void> = [];
    const send = () => {
      sent++;
      return new Promise<HttpReply>((r) => releases.push(() => r(reply({ products: { edges: [{ node: { id: 'a' } }] } }))));
    };
    const release = () => releases.forEach((r) => r());
    const first = reads.serve(read, send);
    const second = reads.serve(read, send);
    expect(sent).toBe(1);
    // A change event while the fetch is out: a later caller must not get the older answer.
    c.invalidate(['a']);
    const afterChange = reads.serve(read, send);
    expect(sent).toBe(2);
    release();
    await Promise.all([first, second, afterChange]);
    expect(await first).toBe(await second);
  });

  it('lets a caller who comes after a stock change join the fetch in flight, and writes the change into the answer', async () => {
    const c = new ReadCache(60_000, 100);
    c.setActive(true);
    const reads = new SharedReads('catalog', catalog, c);
    const read = reads.classify('query { products { edges { node { id stock } } } }', {})!;
    let sent = 0;
    let release: () => void = () => undefined;
    const send = () => {
      sent++;
      return new Promise<HttpReply>((r) => (release = () => r(reply({ products: { edges: [{ node: { id: 'a', stock: 5 } }] } }))));
    };
    const first = reads.serve(read, send);
    c.changeStock(['a'], [4], 1);
    const afterChange = reads.serve(read, send);
    expect(sent).toBe(1);
    release();
    const stocks = async (r: Promise<HttpReply>) => JSON.parse((await r).body).data.products.edges[0].node.stock;
    expect([await stocks(first), await stocks(afterChange)]).toEqual([4, 4]);
    expect(JSON.parse(c.get(read.key)!.body).data.products.edges[0].node.stock).toBe(4);
  });

  it('asks again for a caller who joined after a stock change when the answer cannot take it', async () => {
    const c = new ReadCache(60_000, 100);
    c.setActive(true);
    const reads = new SharedReads('catalog', catalog, c);
    const read = reads.classify('query { products { edges { node { id stock } } } }', {})!;
    const answers = [
      { status: 502, body: 'bad gateway', contentType: 'text/plain' },
      reply({ products: { edges: [{ node: { id: 'a', stock: 4 } }] } }),
    ];
    let sent = 0;
    let release: () => void = () => undefined;
    const send = () => {
      const next = answers[sent++];
      return sent === 1 ? new Promise<HttpReply>((r) => (release = () => r(next))) : Promise.resolve(next);
    };
    const first = reads.serve(read, send);
    c.changeStock(['a'], [4], 1);
    const afterChange = reads.serve(read, send);
    release();
    expect((await first).status).toBe(502);
    expect((await afterChange).status).toBe(200);
    expect(sent).toBe(2);
  });
});
