import { randomUUID } from 'node:crypto';
import { PAID_ORDER_OF_PRODUCT_SQL } from '../../src/services/purchase.record';
import { REVIEW_PAGES_SQL } from '../../src/services/review.service';
import { STOCK_MOVEMENTS_PAGE_SQL } from '../../src/services/stock-movement.service';
import { WISHLIST_PAGE_SQL } from '../../src/services/wishlist.service';
import { startCatalog, type Harness } from './catalog.harness';
import { explain as explainPlan, type PlanNode } from './query-plans';

/**
 * The statements behind a page of reviews, a page of a wishlist, the purchase check and a
 * page of a product's stock movements
 * are served by indexes: planned (the very SQL the services run) on tables big enough and
 * ANALYZEd, enable_seqscan on. A sequential scan over any of these tables fails the test.
 */
let h: Harness;
let productIds: string[];
const user = randomUUID();

beforeAll(async () => {
  h = await startCatalog({ database: 'catalog_review_plans' });
  await h.sql('truncate products, categories, reservations, reservation_items, reviews, wishlist_items cascade');
  productIds = (
    await h.sql<{ id: string }>(
      `insert into products (id, sku, name, price_minor, on_hand) select gen_random_uuid(), 'RP-' || i, 'Thing ' || i, i, 10000
         from generate_series(1, 20000) i returning id`,
    )
  ).map((row) => row.id);
  // 100 reviews per product on 500 of them (ids time-ordered like uuidv7: by sequence).
  await h.sql(
    `insert into reviews (id, product_id, user_id, author_name, rating, title, body, verified_purchase)
     select (lpad(to_hex(i), 12, '0') || '7000800000000000' || lpad(to_hex(i % 65536), 4, '0'))::uuid,
            p.id, gen_random_uuid(), 'Someone', 1 + i % 5, 't', 'b', true
       from (select id, row_number() over () as n from products limit 500) p, generate_series(1, 100) g, lateral (select (p.n * 1000 + g) as i) x`,
  );
  // 20,000 orders sold, one line each, over 2,000 products; the user under test among the buyers.
  await h.sql(
    `with o as (select gen_random_uuid() as order_id, case when i % 1000 = 0 then ?::uuid else gen_random_uuid() end as user_id, i
                  from generate_series(1, 20000) i),
          r as (insert into reservations (order_id, user_id, status) select order_id, user_id, 'SOLD' from o)
     insert into reservation_items (order_id, product_id, quantity)
     select o.order_id, ids.a[1 + o.i % 2000], 1 from o, (select array_agg(id order by id) as a from products) ids`,
    [user],
  );
  // 2,000 users with 10 saved products each, and the user under test with 30.
  await h.sql(
    `insert into wishlist_items (id, user_id, product_id)
     select gen_random_uuid(), u.id, ids.a[1 + (g * 37 + u.n) % 20000]
       from (select gen_random_uuid() as id, n from generate_series(1, 2000) n) u, generate_series(1, 10) g,
            (select array_agg(id order by id) as a from products) ids
     on conflict do nothing`,
  );
  await h.sql(`insert into wishlist_items (id, user_id, product_id) select gen_random_uuid(), ?, id from products limit 30`, [user]);
  // 50 stock movements on each of 2,000 products.
  await h.sql(
    `insert into stock_movements (product_id, delta, on_hand, reason)
     select p.id, 1, g, 'RESTOCK' from (select id from products order by id limit 2000) p, generate_series(1, 50) g`,
  );
  await h.sql('vacuum analyze products, reservations, reservation_items, reviews, wishlist_items, stock_movements');
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const explain = (sql: string, params: unknown[]) => explainPlan(h, sql, params);

const seqScans = (plan: PlanNode[]) => plan.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name']);
const indexes = (plan: PlanNode[]) => plan.map((node) => node['Index Name']).filter(Boolean);

it('a page of reviews for a page of products: one index range per product', async () => {
  const page = `{${productIds.slice(0, 50).join(',')}}`;
  for (const after of [null, 'ffffffff-ffff-7fff-8fff-ffffffffffff']) {
    const plan = await explain(REVIEW_PAGES_SQL, [page, after, after, 11]);
    expect(seqScans(plan)).toEqual([]);
    expect(indexes(plan)).toContain('reviews_product_newest_idx');
  }
});

it('a page of a wishlist: the user index, products by primary key', async () => {
  const plan = await explain(WISHLIST_PAGE_SQL, [user, null, null, 21]);
  expect(seqScans(plan)).toEqual([]);
  expect(indexes(plan)).toEqual(expect.arrayContaining(['wishlist_items_user_newest_idx', 'products_pkey']));
});

it('the purchase check: the buyer index, not a scan of every sale', async () => {
  const plan = await explain(`select ${PAID_ORDER_OF_PRODUCT_SQL} as paid`, [user, productIds[0]]);
  expect(seqScans(plan)).toEqual([]);
  expect(indexes(plan)).toEqual(expect.arrayContaining(['reservations_sold_by_user_idx']));
});

it("a page of a product's stock movements: a backward range of its index, from the cursor", async () => {
  const [product] = await h.sql<{ product_id: string }>('select product_id from stock_movements limit 1');
  for (const after of [null, '1000000']) {
    const plan = await explain(STOCK_MOVEMENTS_PAGE_SQL, [product.product_id, after, after, 51]);
    expect(seqScans(plan)).toEqual([]);
    expect(indexes(plan)).toContain('stock_movements_product_newest_idx');
  }
});
