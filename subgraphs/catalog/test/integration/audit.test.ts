import { uuidv7, type AuditEntryData } from '@storegraph/common';
import { unique } from '@storegraph/common/testing';
import { codes, createCategory, createProduct, startCatalog, type Harness } from './catalog.harness';

/**
 * Catalog's ADMIN mutations each write their audit entry into the outbox in the change's
 * own transaction (users turns them into the combined log; its tests cover that part).
 * The relay is off here, so the rows stay to be read.
 */
describe('catalog audit entries', () => {
  let h: Harness;
  const adminId = uuidv7();
  const admin = () => h.asUser(adminId, 'ADMIN');

  beforeAll(async () => {
    h = await startCatalog({ database: 'catalog_audit' });
  });
  afterAll(() => h.stop());

  const entries = async (targetId: string) => {
    const rows = await h.sql<{ envelope: { data: AuditEntryData } }>(
      "select envelope from outbox where subject = 'catalog.audit.recorded' and envelope->'data'->>'targetId' = ? order by id",
      [targetId],
    );
    return rows.map(({ envelope: { data } }) => ({ ...data, details: JSON.parse(data.details) as Record<string, unknown> }));
  };

  it('records product.created, product.updated (only what changed) and product.archived (once) with the actor', async () => {
    const sku = unique('AUD');
    const created = await h.call<{ createProduct: { id: string } }>(
      'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { sku, name: 'Lamp', price: '10.00', stock: 3 } },
      admin(),
    );
    const id = created.data!.createProduct.id;
    await h.call('mutation ($id: ID!) { updateProduct(id: $id, input: { price: "12.5", name: "Lamp" }) { id } }', { id }, admin());
    // Changing nothing records nothing.
    await h.call('mutation ($id: ID!) { updateProduct(id: $id, input: { name: "Lamp" }) { id } }', { id }, admin());
    await h.call('mutation ($id: ID!) { archiveProduct(id: $id) { id } }', { id }, admin());
    await h.call('mutation ($id: ID!) { archiveProduct(id: $id) { id } }', { id }, admin());

    const recorded = await entries(id);
    expect(recorded.map((e) => [e.action, e.actorId, e.targetType])).toEqual([
      ['product.created', adminId, 'Product'],
      ['product.updated', adminId, 'Product'],
      ['product.archived', adminId, 'Product'],
    ]);
    expect(recorded[0].details).toEqual({
      before: null,
      after: { sku, name: 'Lamp', description: '', price: '10.00', categoryId: null, images: [], onHand: 3 },
    });
    expect(recorded[1].details).toEqual({ before: { price: '10.00' }, after: { price: '12.50' } });
    expect(recorded[2].details).toEqual({ before: { archived: false }, after: { archived: true } });
  });

  it('records stock.set and stock.adjusted with before/after units and the reason', async () => {
    const product = await createProduct(h, { sku: unique('STK'), stock: 5 });
    await h.call('mutation ($id: ID!) { setStock(productId: $id, quantity: 9) { id } }', { id: product.id }, admin());
    await h.call('mutation ($id: ID!) { setStock(productId: $id, quantity: 9) { id } }', { id: product.id }, admin());
    await h.call('mutation ($id: ID!) { adjustStock(productId: $id, delta: -2, reason: "broken in transit") { id } }', { id: product.id }, admin());
    const recorded = (await entries(product.id)).filter((e) => e.action.startsWith('stock.'));
    expect(recorded.map((e) => [e.action, e.details])).toEqual([
      ['stock.set', { reason: 'RESTOCK', before: { onHand: 5 }, after: { onHand: 9 } }],
      ['stock.adjusted', { reason: 'broken in transit', before: { onHand: 9 }, after: { onHand: 7 } }],
    ]);
  });

  it('records category.created and category.updated', async () => {
    const slug = unique('cat');
    const id = await createCategory(h, slug, 'Lamps');
    await h.call('mutation ($id: ID!, $slug: String!) { updateCategory(id: $id, input: { slug: $slug }) { id } }', { id, slug: `${slug}-x` }, admin());
    const recorded = await entries(id);
    expect(recorded.map((e) => [e.action, e.details])).toEqual([
      ['category.created', { before: null, after: { name: 'Lamps', slug } }],
      ['category.updated', { before: { slug }, after: { slug: `${slug}-x` } }],
    ]);
  });

  it('a refused ADMIN mutation records nothing (CONFLICT, NOT_FOUND, BAD_USER_INPUT, FORBIDDEN)', async () => {
    const product = await createProduct(h, { sku: unique('REF'), stock: 4 });
    await h.sql('update products set reserved = 3 where id = ?', [product.id]);
    const taken = unique('taken');
    const categoryId = await createCategory(h, taken);
    const other = await createCategory(h, unique('other'));
    const before = await h.sql<{ n: number }>("select count(*)::int as n from outbox where subject = 'catalog.audit.recorded'");

    const refused = [
      await h.call('mutation ($id: ID!) { adjustStock(productId: $id, delta: -2, reason: "count") { id } }', { id: product.id }, admin()),
      await h.call('mutation ($id: ID!) { setStock(productId: $id, quantity: 1) { id } }', { id: product.id }, admin()),
      await h.call(
        'mutation ($sku: String!) { createProduct(input: { sku: $sku, name: "Dup", price: "1.00", stock: 1 }) { id } }',
        { sku: product.sku },
        admin(),
      ),
      await h.call('mutation ($id: ID!, $slug: String!) { updateCategory(id: $id, input: { slug: $slug }) { id } }', { id: other, slug: taken }, admin()),
      await h.call('mutation ($slug: String!) { createCategory(input: { name: "Dup", slug: $slug }) { id } }', { slug: taken }, admin()),
      await h.call('mutation ($id: ID!) { updateProduct(id: $id, input: { categoryId: $id }) { id } }', { id: product.id }, admin()),
      await h.call('mutation ($id: ID!) { archiveProduct(id: $id) { id } }', { id: uuidv7() }, admin()),
      await h.call('mutation ($id: ID!) { updateProduct(id: $id, input: { price: "-1" }) { id } }', { id: product.id }, admin()),
      await h.call('mutation ($id: ID!) { archiveProduct(id: $id) { id } }', { id: product.id }, h.as('CUSTOMER')),
    ];
    expect(refused.map((r) => codes(r)[0])).toEqual([
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
      'NOT_FOUND',
      'NOT_FOUND',
      'BAD_USER_INPUT',
      'FORBIDDEN',
    ]);
    expect(await h.sql("select count(*)::int as n from outbox where subject = 'catalog.audit.recorded'")).toEqual(before);
    expect(await h.sql('select on_hand, archived from products where id = ?', [product.id])).toEqual([{ on_hand: 4, archived: false }]);
    expect((await entries(categoryId)).length).toBe(1);
  });
});
