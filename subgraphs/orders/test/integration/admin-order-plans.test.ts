import { randomUUID } from 'node:crypto';
import { OrderStatus } from '../../src/entities';
import { adminOrderQueries } from '../../src/services/order.service';
import { startHarness, type Harness } from '../support/harness';

/**
 * Query.orders is served by indexes: the very statements the service runs (a page and its
 * count, built by adminOrderQueries) planned on 20,000 ANALYZEd orders, enable_seqscan
 * on. A sequential scan of orders fails the test.
 */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

let h: Harness;
const user = randomUUID();
const BASE_MS = Date.parse('2031-01-01T00:00:00Z');

beforeAll(async () => {
  h = await startHarness({ database: 'orders_admin_plans', relay: false });
  const sql = (text: string, params: unknown[] = []) => h.orders.database.orm.em.fork().execute(text, params);
  await sql('truncate orders cascade');
  // One order a minute, ids made from createdAt as checkout makes them; 1 in 200 SHIPPED, 1 in 1000 the user's.
  await sql(
    `insert into orders (id, user_id, status, total_minor, currency, status_history, payment_token, created_at,
                         carrier, tracking_number, shipped_at, delivered_at)
     select (lpad(to_hex(ms), 12, '0') || '7000' || '8000' || lpad(to_hex(i), 12, '0'))::uuid,
            case when i % 1000 = 0 then ?::uuid else gen_random_uuid() end,
            s.status, 100, 'USD', '[]'::jsonb, 'tok_visa', to_timestamp(ms / 1000.0),
            'DHL', 'T' || i, to_timestamp(ms / 1000.0), case when s.status = 'DELIVERED' then to_timestamp(ms / 1000.0) end
       from generate_series(1, 20000) i,
            lateral (select ?::bigint + i * 60000 as ms) t,
            lateral (select case when i % 200 = 0 then 'SHIPPED' else 'DELIVERED' end as status) s`,
    [user, BASE_MS],
  );
  await sql('vacuum analyze orders');
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

async function plansOf(filter: Parameters<typeof adminOrderQueries>[3], afterId: string | null): Promise<{ page: PlanNode[]; count: PlanNode[] }> {
  const em = h.orders.database.orm.em.fork();
  const { page, count } = adminOrderQueries(em, 20, afterId, filter);
  const explain = async (text: string) => {
    const [row] = await em.execute<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>>(`explain (format json) ${text}`);
    return nodes(row['QUERY PLAN'][0].Plan);
  };
  return { page: await explain(page.getFormattedQuery()), count: await explain(count.count().getFormattedQuery()) };
}

// A Bitmap Index Scan names only its index; its Bitmap Heap Scan names the table.
const scansOfOrders = (plans: PlanNode[]) =>
  plans.filter((n) => n['Relation Name'] === 'orders' || n['Index Name']?.startsWith('orders_')).map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim());

describe('Query.orders plans', () => {
  const minute = (n: number) => new Date(BASE_MS + n * 60000);

  it.each([
    ['no filter', {}, 'orders_pkey'],
    ['a status', { status: OrderStatus.SHIPPED }, 'orders_status_id_idx'],
    ['a user', { userId: user }, 'orders_user_id_id_idx'],
    ['a placement window', { placedAfter: minute(100), placedBefore: minute(200) }, 'orders_pkey'],
    ['a status in a window', { status: OrderStatus.SHIPPED, placedAfter: minute(100), placedBefore: minute(5000) }, 'orders_status_id_idx'],
  ])('with %s uses an index, never a sequential scan', async (_what, filter, index) => {
    // The first page, and a page after a cursor in the middle.
    for (const after of [null, (await h.orders.database.orm.em.fork().execute<Array<{ id: string }>>('select id from orders order by id offset 10000 limit 1'))[0].id]) {
      const { page, count } = await plansOf(filter, after);
      expect(scansOfOrders(page).filter((s) => s.startsWith('Seq Scan'))).toEqual([]);
      expect({ after, scans: scansOfOrders(page) }).toEqual({ after, scans: expect.arrayContaining([expect.stringContaining(index)]) });
      // Counting every order reads every order, whatever the plan; a filtered count must not.
      if (Object.keys(filter).length > 0) expect(scansOfOrders(count).filter((s) => s.startsWith('Seq Scan'))).toEqual([]);
    }
  });
});
