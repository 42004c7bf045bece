import { metricsFor, requestScope, type Database } from '@storegraph/common';

/**
 * Orders still on their way, read at scrape time (an index-only look at orders_open_idx):
 * how many are PENDING and RESERVED and how long the oldest has waited, so an order the
 * saga left behind raises an alert instead of waiting for a customer to complain.
 */
export function watchOpenOrders(database: Database): () => void {
  const metrics = metricsFor('orders');
  const open = metrics.gauge('storegraph_orders_open', 'Orders not yet CONFIRMED, FAILED or CANCELLED, by status', ['status']);
  const oldest = metrics.gauge('storegraph_orders_open_oldest_age_seconds', 'Age of the oldest order in that status', ['status']);
  return metrics.onScrape(() =>
    requestScope.exit(async () => {
      const rows = (await database.orm.em.getConnection().execute(
        `select s.status, count(o.created_at)::int as n, coalesce(extract(epoch from now() - min(o.created_at)), 0)::float8 as age
           from (values ('PENDING'), ('RESERVED')) as s(status)
           left join orders o on o.status = s.status and o.status in ('PENDING', 'RESERVED')
          group by s.status`,
      )) as Array<{ status: string; n: number; age: number }>;
      for (const row of rows) {
        open.inc({ status: row.status }, row.n);
        const current = (await oldest.get()).values.find((v) => v.labels.status === row.status)?.value ?? 0;
        if (row.age > current) oldest.set({ status: row.status }, row.age);
      }
    }),
  );
}
