import { randomUUID } from 'node:crypto';
import { unique } from '@storegraph/common/testing';
import { ProductSort } from '../../src/types/product-sort.enum';
import { codes, createCategory, createProduct, startCatalog, type Harness } from './catalog.harness';

let h: Harness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => {
  await h?.stop();
});

const UPDATE_CATEGORY = `mutation ($id: ID!, $input: UpdateCategoryInput!) { updateCategory(id: $id, input: $input) { id name slug } }`;
const ARCHIVE = `mutation ($id: ID!) { archiveProduct(id: $id) { id archived } }`;
const LIST = `query ($filter: ProductFilter, $sort: ProductSort) {
  products(first: 100, filter: $filter, sort: $sort) { totalCount edges { node { id } } } }`;
const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id archived price { amount } } } }`;
const WISHLIST = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { wishlist(first: 100) { totalCount edges { node { id } } } } } }`;
const ADD_TO_WISHLIST = `mutation ($id: ID!) { addToWishlist(productId: $id) }`;

const categoryRow = async (id: string) => (await h.sql<{ name: string; slug: string }>('select name, slug from categories where id = ?', [id]))[0];

describe('updateCategory', () => {
  it('renames and re-slugs a category; absent fields stay', async () => {
    const id = await createCategory(h, unique('lamps'), 'Lamps');
    const slug = unique('lights');
    const res = await h.call(UPDATE_CATEGORY, { id, input: { slug } }, h.as('ADMIN'));
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ updateCategory: { id, name: 'Lamps', slug } });
    const renamed = await h.call(UPDATE_CATEGORY, { id, input: { name: '  Lights ' } }, h.as('ADMIN'));
    expect(renamed.data).toEqual({ updateCategory: { id, name: 'Lights', slug } });
  });

  it('refuses anonymous callers and customers, changing nothing', async () => {
    const slug = unique('keep');
    const id = await createCategory(h, slug, 'Keep');
    expect(codes(await h.call(UPDATE_CATEGORY, { id, input: { name: 'X' } }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.call(UPDATE_CATEGORY, { id, input: { name: 'X' } }, h.as('CUSTOMER')))).toEqual(['FORBIDDEN']);
    expect(await categoryRow(id)).toEqual({ name: 'Keep', slug });
  });

  it('validates like createCategory: bad slug or blank name is BAD_USER_INPUT, nothing changes', async () => {
    const slug = unique('valid');
    const id = await createCategory(h, slug, 'Valid');
    for (const input of [{ slug: 'Not A Slug' }, { slug: `${unique('x')}-` }, { name: '   ' }, { name: 'ok', slug: 'BAD' }]) {
      expect(codes(await h.call(UPDATE_CATEGORY, { id, input }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
    }
    expect(await categoryRow(id)).toEqual({ name: 'Valid', slug });
  });

  it("answers CONFLICT for another category's slug, and NOT_FOUND for an unknown id", async () => {
    const taken = unique('taken');
    await createCategory(h, taken);
    const slug = unique('mine');
    const id = await createCategory(h, slug, 'Mine');
    expect(codes(await h.call(UPDATE_CATEGORY, { id, input: { name: 'Changed', slug: taken } }, h.as('ADMIN')))).toEqual(['CONFLICT']);
    expect(await categoryRow(id)).toEqual({ name: 'Mine', slug });
    // Its own slug is no conflict.
    expect((await h.call(UPDATE_CATEGORY, { id, input: { slug } }, h.as('ADMIN'))).errors).toBeUndefined();
    for (const unknown of [randomUUID(), 'not-a-uuid']) {
      expect(codes(await h.call(UPDATE_CATEGORY, { id: unknown, input: { name: 'X' } }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
    }
  });
});

describe('archiveProduct', () => {
  it('archives (idempotently); only an ADMIN may, an unknown id is NOT_FOUND', async () => {
    const { id } = await createProduct(h, { sku: unique('ARCH') });
    expect(codes(await h.call(ARCHIVE, { id }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.call(ARCHIVE, { id }, h.as('CUSTOMER')))).toEqual(['FORBIDDEN']);
    expect((await h.sql<{ archived: boolean }>('select archived from products where id = ?', [id]))[0].archived).toBe(false);
    for (let i = 0; i < 2; i += 1) {
      const res = await h.call(ARCHIVE, { id }, h.as('ADMIN'));
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ archiveProduct: { id, archived: true } });
    }
    for (const unknown of [randomUUID(), 'nope']) expect(codes(await h.call(ARCHIVE, { id: unknown }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
  });

  it('leaves archived products out of products, whatever the sort and filter, and out of the count', async () => {
    const categoryId = await createCategory(h, unique('arch-cat'));
    const word = unique('zyxarch').replace(/[^a-z]/g, '');
    const kept = await createProduct(h, { sku: unique('KEPT'), name: `${word} kept`, price: '5.00', categoryId, stock: 3 });
    const gone = await createProduct(h, { sku: unique('GONE'), name: `${word} gone`, price: '6.00', categoryId, stock: 3 });
    await h.call(ARCHIVE, { id: gone.id }, h.as('ADMIN'));
    const filters = [{ categoryId }, { search: word }, { categoryId, inStock: true }, { categoryId, minPrice: '1.00', maxPrice: '9.00' }];
    const sorts = [null, ...Object.values(ProductSort)];
    for (const filter of filters) {
      for (const sort of sorts) {
        const res = await h.call<{ products: { totalCount: number; edges: Array<{ node: { id: string } }> } }>(LIST, { filter, sort });
        expect(res.errors).toBeUndefined();
        expect({ filter, sort, ids: res.data!.products.edges.map((e) => e.node.id), total: res.data!.products.totalCount }).toEqual({
          filter,
          sort,
          ids: [kept.id],
          total: 1,
        });
      }
    }
  });

  it('still resolves by reference (past orders, carts) with archived: true', async () => {
    const { id } = await createProduct(h, { sku: unique('REF'), price: '2.50' });
    await h.call(ARCHIVE, { id }, h.as('ADMIN'));
    const res = await h.call(ENTITIES, { r: [{ __typename: 'Product', id }] });
    expect(res.data).toEqual({ _entities: [{ id, archived: true, price: { amount: '2.50' } }] });
    const product = await h.call(`query ($id: ID!) { product(id: $id) { id archived } }`, { id });
    expect(product.data).toEqual({ product: { id, archived: true } });
  });

  it('drops out of wishlists and cannot be added to one', async () => {
    const userId = randomUUID();
    const [a, b] = [await createProduct(h, { sku: unique('WA') }), await createProduct(h, { sku: unique('WB') })];
    for (const p of [a, b]) expect((await h.call(ADD_TO_WISHLIST, { id: p.id }, h.asUser(userId))).errors).toBeUndefined();
    await h.call(ARCHIVE, { id: a.id }, h.as('ADMIN'));
    const res = await h.call<{ _entities: Array<{ wishlist: { totalCount: number; edges: Array<{ node: { id: string } }> } }> }>(
      WISHLIST,
      { r: [{ __typename: 'User', id: userId }] },
      h.asUser(userId),
    );
    expect(res.data!._entities[0].wishlist).toEqual({ totalCount: 1, edges: [{ node: { id: b.id } }] });
    expect(codes(await h.call(ADD_TO_WISHLIST, { id: a.id }, h.asUser(randomUUID())))).toEqual(['NOT_FOUND']);
  });
});
