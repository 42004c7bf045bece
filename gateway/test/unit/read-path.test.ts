import type { HttpReply } from '@storegraph/common';
import { catalogTags, LIST_TAG, PUBLIC_SURFACES, publicRepresentations, shapeOf } from '../../src/read-path/public-reads';
import { ReadCache } from '../../src/read-path/read-cache';
import { SharedReads } from '../../src/read-path/shared-reads';

const catalog = PUBLIC_SURFACES.catalog;
const reply = (data: unknown): HttpReply => ({ status: 200, body: JSON.stringify({ data }), contentType: 'application/json' });

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
    c.set('k', reply(1), ['a'], c.ticket());
    expect(c.get('k')).toBeDefined();
    c.invalidate(['b']);
    expect(c.get('k')).toBeDefined();
    c.invalidate(['a']);
    expect(c.get('k')).toBeUndefined();
    c.set('k', reply(2), ['a'], c.ticket());
    now = 1000;
    expect(c.get('k')).toBeUndefined();
  });

  it('refuses an answer whose fetch started before an invalidation of one of its tags', () => {
    const c = cache();
    const ticket = c.ticket();
    c.invalidate(['a']);
    c.set('k', reply(1), ['a'], ticket);
    expect(c.get('k')).toBeUndefined();
    c.set('k', reply(1), ['b'], ticket);
    expect(c.get('k')).toBeDefined();
  });

  it('refuses every answer begun before a flush, and serves nothing while off', () => {
    const c = cache();
    const ticket = c.ticket();
    c.flush();
    c.set('k', reply(1), [], ticket);
    expect(c.get('k')).toBeUndefined();
    c.setActive(false);
    c.set('k', reply(1), [], c.ticket());
    expect(c.get('k')).toBeUndefined();
  });

  it('evicts the least recently used past its size', () => {
    now = 0;
    const c = cache();
    c.set('a', reply(1), [], c.ticket());
    c.set('b', reply(2), [], c.ticket());
    c.get('a');
    c.set('c', reply(3), [], c.ticket());
    expect([c.get('a'), c.get('b'), c.get('c')].map(Boolean)).toEqual([true, false, true]);
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
});
