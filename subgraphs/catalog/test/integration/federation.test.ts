import { randomUUID } from 'node:crypto';
import { IDENTITY_HEADER, signIdentity } from '@storegraph/common';
import { unique } from '@storegraph/common/testing';
import { CREATE_CATEGORY, codes, createCategory, createProduct, startCatalog, type Harness } from './catalog.harness';

let h: Harness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => {
  await h?.stop();
});

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id sku stock price { amount } } }
}`;
const ENTITIES_WITH_CATEGORY = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id category { slug } } }
}`;

describe('Product entity references', () => {
  it('resolves 20 representations with one SQL query, unknown ids as null', async () => {
    const products = [];
    for (let i = 0; i < 20; i += 1) products.push(await createProduct(h, { sku: unique(`REF${i}`), stock: i }));
    const representations = products.map((p) => ({ __typename: 'Product', id: p.id }));

    const before = h.app.database.queryCount();
    const res = await h.call<{ _entities: Array<{ id: string; sku: string; stock: number } | null> }>(ENTITIES, { representations });
    expect(h.app.database.queryCount() - before).toBe(1);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((e) => e?.id)).toEqual(products.map((p) => p.id));
    expect(res.data!._entities.map((e) => e?.stock)).toEqual(products.map((_, i) => i));

    const unknown = await h.call(ENTITIES, {
      representations: [
        { __typename: 'Product', id: randomUUID() },
        { __typename: 'Product', id: 'nope' },
        representations[0],
      ],
    });
    expect(unknown.data).toEqual({ _entities: [null, null, { id: products[0].id, sku: products[0].sku, stock: 0, price: { amount: '1.00' } }] });
  });

  it('adds one query for the categories when they are selected', async () => {
    const slug = unique('ref');
    const categoryId = await createCategory(h, slug);
    const products = [];
    for (let i = 0; i < 4; i += 1) products.push(await createProduct(h, { sku: unique(`REFC${i}`), categoryId }));
    const before = h.app.database.queryCount();
    const res = await h.call(ENTITIES_WITH_CATEGORY, {
      representations: products.map((p) => ({ __typename: 'Product', id: p.id })),
    });
    expect(h.app.database.queryCount() - before).toBe(2);
    expect(res.data).toEqual({ _entities: products.map((p) => ({ id: p.id, category: { slug } })) });
  });
});

describe('identity', () => {
  it('treats a forged or foreign-signed identity header as anonymous', async () => {
    const caller = { userId: randomUUID(), role: 'ADMIN' as const, tokenId: randomUUID(), tokenExpiresAt: 0, familyId: randomUUID() };
    const signedElsewhere = signIdentity('not-the-gateway-secret', { caller, clientIp: null });
    const tampered = `${Buffer.from(JSON.stringify({ caller, clientIp: null, exp: 9999999999 })).toString('base64url')}.${h.as('ADMIN')[IDENTITY_HEADER].split('.')[1]}`;
    for (const header of [signedElsewhere, tampered, 'garbage']) {
      const res = await h.call(CREATE_CATEGORY, { input: { name: 'X', slug: unique('forged') } }, { [IDENTITY_HEADER]: header });
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    }
  });
});
