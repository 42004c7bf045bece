import { randomUUID } from 'node:crypto';
import { unique } from '@storegraph/common/testing';
import {
  CREATE_PRODUCT,
  PRODUCT_FIELDS,
  codes,
  createCategory,
  createProduct,
  startCatalog,
  type Harness,
  type ProductView,
} from './catalog.harness';
import { ProductService } from '../../src/services/product.service';

let h: Harness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => {
  await h?.stop();
});

const UPDATE = `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ${PRODUCT_FIELDS} } }`;
const SET_STOCK = `mutation ($id: ID!, $q: Int!) { setStock(productId: $id, quantity: $q) { id stock } }`;

interface Row {
  sku: string;
  name: string;
  description: string;
  price_minor: number;
  category_id: string | null;
  on_hand: number;
  reserved: number;
}
const row = async (id: string): Promise<Row | undefined> =>
  (await h.sql<Row>('select sku, name, description, price_minor, category_id, on_hand, reserved from products where id = ?', [id]))[0];
const skuCount = async (sku: string) => (await h.sql('select 1 from products where sku = ?', [sku])).length;

describe('createProduct', () => {
  it('stores the price in minor units and shows it with two decimals', async () => {
    const slug = unique('mugs');
    const categoryId = await createCategory(h, slug, 'Mugs');
    const sku = unique('MUG');
    const res = await h.call<{ createProduct: ProductView }>(
      CREATE_PRODUCT,
      { input: { sku: ` ${sku} `, name: 'Big mug', description: 'Holds a lot', price: '19.9', categoryId, stock: 7 } },
      h.as('ADMIN'),
    );
    expect(res.errors).toBeUndefined();
    const product = res.data!.createProduct;
    expect(product).toEqual({
      id: expect.any(String),
      sku,
      name: 'Big mug',
      description: 'Holds a lot',
      price: { amount: '19.90', currency: h.config.currency },
      category: { id: categoryId, name: 'Mugs', slug },
      stock: 7,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
    expect(await row(product.id)).toEqual({
      sku,
      name: 'Big mug',
      description: 'Holds a lot',
      price_minor: 1990,
      category_id: categoryId,
      on_hand: 7,
      reserved: 0,
    });
  });

  it('defaults the description to empty and the category to none', async () => {
    const product = await createProduct(h, { sku: unique('PLAIN'), price: '0' });
    expect(product).toMatchObject({ description: '', category: null, price: { amount: '0.00' }, stock: 0 });
  });

  it('refuses anonymous callers and customers, creating nothing', async () => {
    const sku = unique('AUTH');
    const input = { sku, name: 'X', price: '1.00', stock: 1 };
    expect(codes(await h.call(CREATE_PRODUCT, { input }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.call(CREATE_PRODUCT, { input }, h.as('CUSTOMER')))).toEqual(['FORBIDDEN']);
    expect(await skuCount(sku)).toBe(0);
  });

  it.each([
    ['a negative price', { price: '-1.00' }],
    ['a price with three decimals', { price: '1.999' }],
    ['a price that is not a number', { price: 'ten' }],
    ['negative stock', { stock: -1 }],
    ['a blank SKU', { sku: '   ' }],
    ['a SKU over 64 characters', { sku: 'S'.repeat(65) }],
    ['a blank name', { name: '' }],
  ])('answers BAD_USER_INPUT for %s, creating nothing', async (_what, override) => {
    const sku = unique('BAD');
    const res = await h.call(CREATE_PRODUCT, { input: { sku, name: 'X', price: '1.00', stock: 1, ...override } }, h.as('ADMIN'));
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(await skuCount(sku)).toBe(0);
  });

  it('answers NOT_FOUND for an unknown category, creating nothing', async () => {
    for (const categoryId of [randomUUID(), 'not-a-uuid']) {
      const sku = unique('NOCAT');
      const res = await h.call(CREATE_PRODUCT, { input: { sku, name: 'X', price: '1.00', stock: 1, categoryId } }, h.as('ADMIN'));
      expect(codes(res)).toEqual(['NOT_FOUND']);
      expect(await skuCount(sku)).toBe(0);
    }
  });

  it('answers CONFLICT for a SKU already taken, keeping the first product', async () => {
    const first = await createProduct(h, { sku: unique('DUP'), name: 'First', price: '5.00' });
    const res = await h.call(CREATE_PRODUCT, { input: { sku: first.sku, name: 'Second', price: '6.00', stock: 3 } }, h.as('ADMIN'));
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(await h.sql('select name, price_minor from products where sku = ?', [first.sku])).toEqual([{ name: 'First', price_minor: 500 }]);
  });

  it('does not retry a refused insert on the next write of the same request', async () => {
    // One em serves a whole request; a failed write must not linger in its unit of work.
    const service = new ProductService(h.app.database.orm.em.fork(), h.config.images);
    const taken = await createProduct(h, { sku: unique('TAKEN') });
    await expect(service.create({ sku: taken.sku, name: 'X', price: '1', stock: 0 }, randomUUID())).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    const fresh = await service.create({ sku: unique('FRESH'), name: 'Y', price: '1', stock: 0 }, randomUUID());
    expect(await skuCount(fresh.sku)).toBe(1);
    expect(await skuCount(taken.sku)).toBe(1);
  });
});

describe('updateProduct', () => {
  it('changes only the fields given', async () => {
    const categoryId = await createCategory(h, unique('lamps'), 'Lamps');
    const product = await createProduct(h, { sku: unique('LAMP'), name: 'Lamp', description: 'Bright', price: '10.00', stock: 4 });
    const res = await h.call<{ updateProduct: ProductView }>(UPDATE, { id: product.id, input: { price: '12.5', categoryId } }, h.as('ADMIN'));
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateProduct).toEqual({
      ...product,
      price: { amount: '12.50', currency: h.config.currency },
      category: { id: categoryId, name: 'Lamps', slug: expect.any(String) },
    });

    const renamed = await h.call<{ updateProduct: ProductView }>(UPDATE, { id: product.id, input: { name: ' Desk lamp ', description: '' } }, h.as('ADMIN'));
    expect(renamed.data!.updateProduct).toMatchObject({ name: 'Desk lamp', description: '', price: { amount: '12.50' }, stock: 4 });
    expect((await row(product.id))?.category_id).toBe(categoryId);
  });

  it('removes the category when categoryId is null', async () => {
    const categoryId = await createCategory(h, unique('tmp'));
    const product = await createProduct(h, { sku: unique('UNCAT'), categoryId });
    const res = await h.call<{ updateProduct: ProductView }>(UPDATE, { id: product.id, input: { categoryId: null } }, h.as('ADMIN'));
    expect(res.data!.updateProduct.category).toBeNull();
  });

  it('refuses anonymous callers and customers', async () => {
    const product = await createProduct(h, { sku: unique('UPAUTH'), name: 'Before' });
    expect(codes(await h.call(UPDATE, { id: product.id, input: { name: 'After' } }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.call(UPDATE, { id: product.id, input: { name: 'After' } }, h.as('CUSTOMER')))).toEqual(['FORBIDDEN']);
    expect((await row(product.id))?.name).toBe('Before');
  });

  it('answers NOT_FOUND for an unknown product or category, changing nothing', async () => {
    expect(codes(await h.call(UPDATE, { id: randomUUID(), input: { name: 'X' } }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
    expect(codes(await h.call(UPDATE, { id: 'nope', input: { name: 'X' } }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
    const product = await createProduct(h, { sku: unique('UPCAT'), name: 'Keep', price: '3.00' });
    const res = await h.call(UPDATE, { id: product.id, input: { name: 'Changed', categoryId: randomUUID() } }, h.as('ADMIN'));
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(await row(product.id)).toMatchObject({ name: 'Keep', category_id: null, price_minor: 300 });
  });

  it('validates like createProduct, changing nothing', async () => {
    const product = await createProduct(h, { sku: unique('UPBAD'), name: 'Keep', price: '3.00' });
    for (const input of [{ price: '-2' }, { price: '2.001' }, { name: ' ' }, { name: 'Changed', price: 'x' }]) {
      expect(codes(await h.call(UPDATE, { id: product.id, input }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
    }
    expect(await row(product.id)).toMatchObject({ name: 'Keep', price_minor: 300 });
  });
});

describe('setStock', () => {
  it('sets units on hand', async () => {
    const product = await createProduct(h, { sku: unique('STOCK'), stock: 2 });
    const res = await h.call(SET_STOCK, { id: product.id, q: 40 }, h.as('ADMIN'));
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ setStock: { id: product.id, stock: 40 } });
    expect((await row(product.id))?.on_hand).toBe(40);
  });

  it('shows stock as on hand minus reserved, and accepts exactly the reserved amount', async () => {
    const product = await createProduct(h, { sku: unique('RES'), stock: 10 });
    await h.sql('update products set reserved = 4 where id = ?', [product.id]);
    expect((await h.call(SET_STOCK, { id: product.id, q: 6 }, h.as('ADMIN'))).data).toEqual({ setStock: { id: product.id, stock: 2 } });
    expect((await h.call(SET_STOCK, { id: product.id, q: 4 }, h.as('ADMIN'))).data).toEqual({ setStock: { id: product.id, stock: 0 } });
  });

  it('answers CONFLICT below the units reserved, changing nothing', async () => {
    const product = await createProduct(h, { sku: unique('UNDER'), stock: 10 });
    await h.sql('update products set reserved = 5 where id = ?', [product.id]);
    expect(codes(await h.call(SET_STOCK, { id: product.id, q: 4 }, h.as('ADMIN')))).toEqual(['CONFLICT']);
    expect(await row(product.id)).toMatchObject({ on_hand: 10, reserved: 5 });
  });

  it('answers BAD_USER_INPUT for a negative quantity and NOT_FOUND for an unknown product', async () => {
    const product = await createProduct(h, { sku: unique('NEG'), stock: 3 });
    expect(codes(await h.call(SET_STOCK, { id: product.id, q: -1 }, h.as('ADMIN')))).toEqual(['BAD_USER_INPUT']);
    expect((await row(product.id))?.on_hand).toBe(3);
    expect(codes(await h.call(SET_STOCK, { id: randomUUID(), q: 1 }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
    expect(codes(await h.call(SET_STOCK, { id: 'x', q: 1 }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
  });

  it('refuses anonymous callers and customers', async () => {
    const product = await createProduct(h, { sku: unique('STAUTH'), stock: 3 });
    expect(codes(await h.call(SET_STOCK, { id: product.id, q: 9 }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.call(SET_STOCK, { id: product.id, q: 9 }, h.as('CUSTOMER')))).toEqual(['FORBIDDEN']);
    expect((await row(product.id))?.on_hand).toBe(3);
  });
});
