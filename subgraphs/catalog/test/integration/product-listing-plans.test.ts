import { startCatalog, type Harness } from './catalog.harness';
import { cursorOf, filterSql, orderingOf, pageSql, searchOf, type ProductFilterData } from '../../src/services/product-listing.query';
import { ProductSort } from '../../src/types/product-sort.enum';
import { explain as explainPlan, type PlanNode } from './query-plans';

/**
 * Every sort order is served by an index: the page statement the listing runs (built by the
 * very functions the service uses) is planned, on a table big enough and ANALYZEd, so the
 * planner's choice is its real one (enable_seqscan stays on). A sequential scan over
 * products anywhere in the plan fails the test.
 */
const ROWS = 20_000;
const WORDS = ['kettle', 'lamp', 'chair', 'table', 'mug', 'teapot', 'desk', 'sofa', 'rug', 'shelf'];

let h: Harness;
let categoryId: string;

beforeAll(async () => {
  // A database of its own: the row count and statistics must not depend on other files.
  h = await startCatalog({ database: 'catalog_plans' });
  await h.sql('truncate products, categories cascade');
  categoryId = (await h.sql<{ id: string }>(`insert into categories (id, name, slug) select gen_random_uuid(), 'c' || i, 'c' || i from generate_series(1, 20) i returning id`))[0].id;
  // 50 words in all (10 x 5 suffixes): one word matches 2% of the rows, as a real search would.
  await h.sql(
    `insert into products (id, sku, name, description, price_minor, category_id, on_hand, rating_sum, rating_count)
     select gen_random_uuid(), 'PLAN-' || i,
            (array[${WORDS.map((w) => `'${w}'`).join(',')}])[1 + i % 10] || ((i / 10) % 5) || ' model ' || i,
            'A sturdy thing number ' || i,
            (i * 7919) % 100000,
            (select id from categories order by id offset i % 20 limit 1),
            i % 4,
            case when i % 3 = 0 then 0 else (1 + i % 7) * (1 + i % 5) end,
            case when i % 3 = 0 then 0 else 1 + i % 7 end
     from generate_series(1, ?) i`,
    [ROWS],
  );
  // What autovacuum does to a table at rest: statistics, and the GIN index's pending list
  // merged (a bulk insert leaves it long, which makes any index search look expensive).
  await h.sql('vacuum analyze products');
  await h.sql('analyze categories');
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const explain = (sql: string, params: unknown[]) => explainPlan(h, sql, params);

/** Plans page 1 and, from its last row, page 2 (the keyset bound). */
async function planPages(sort: ProductSort | null, filter: ProductFilterData): Promise<PlanNode[][]> {
  const search = searchOf(filter);
  const ordering = orderingOf(sort, search);
  const where = filterSql(filter, search);
  const first = pageSql(ordering, where, null, 20);
  const rows = await h.sql<{ id: string; sort_key?: string }>(first.sql, first.params);
  expect(rows.length).toBeGreaterThan(0);
  const last = rows[rows.length - 1];
  const second = pageSql(ordering, where, cursorOf(ordering, last.id, last.sort_key), 20);
  return [await explain(first.sql, first.params), await explain(second.sql, second.params)];
}

const productScans = (plan: PlanNode[]) => plan.filter((node) => node['Relation Name'] === 'products');

const SORTS: Array<[ProductSort | null, string]> = [
  [null, 'products_pkey'],
  [ProductSort.NEWEST, 'products_pkey'],
  [ProductSort.PRICE_ASC, 'products_price_idx'],
  [ProductSort.PRICE_DESC, 'products_price_idx'],
  [ProductSort.NAME_ASC, 'products_name_idx'],
  [ProductSort.RATING, 'products_rating_idx'],
];

describe('the page statement of products(sort:)', () => {
  it('has the table it needs', async () => {
    expect(await h.sql('select count(*)::int as n from products')).toEqual([{ n: ROWS }]);
  });

  it.each(SORTS)('%s reads a page through %s, page 2 included', async (sort, index) => {
    for (const plan of await planPages(sort, {})) {
      const scans = productScans(plan);
      expect(scans.map((node) => node['Node Type'])).toEqual(['Index Scan']);
      expect(scans[0]['Index Name']).toBe(index);
    }
  });

  it.each(SORTS)('%s with a price range, a category or stock filter never scans the whole table', async (sort) => {
    for (const filter of [{ minPrice: '100.00', maxPrice: '200.00' }, { categoryId }, { inStock: true }, { categoryId, minPrice: '500' }]) {
      for (const plan of await planPages(sort, filter)) {
        const scans = productScans(plan);
        expect(scans.length).toBeGreaterThan(0);
        expect(scans.map((node) => node['Node Type'])).not.toContain('Seq Scan');
      }
    }
  });

  it('RELEVANCE finds the matches of a search through the GIN index, then ranks only those', async () => {
    for (const plan of await planPages(ProductSort.RELEVANCE, { search: 'lamp3' })) {
      expect(productScans(plan).map((node) => node['Node Type'])).toEqual(['Bitmap Heap Scan']);
      expect(plan.some((node) => node['Node Type'] === 'Bitmap Index Scan' && node['Index Name'] === 'products_search_idx')).toBe(true);
    }
  });

  it.each(SORTS)('%s with a search never scans the whole table', async (sort) => {
    for (const plan of await planPages(sort, { search: 'lamp3' })) {
      const scans = productScans(plan);
      expect(scans.length).toBeGreaterThan(0);
      expect(scans.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    }
  });
});
