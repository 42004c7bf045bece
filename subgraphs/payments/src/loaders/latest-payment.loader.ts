import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@storegraph/common';
import { Payment } from '../entities';

/**
 * The payment of each order, for any number of orders in one query. Since migration 0002
 * an order has at most one (order_id is unique); `distinct on` still picks the newest, so
 * the answer would stay the latest attempt if attempts per order ever became several.
 */
export function createLatestPaymentLoader(em: EntityManager): DataLoader<string, Payment | null> {
  return new DataLoader(async (orderIds) => {
    const wanted = [...new Set(orderIds.filter(isUuid))];
    if (wanted.length === 0) return orderIds.map(() => null);
    // distinct on keeps the first row per order in the given order: the newest (ids are UUIDv7).
    // The ids go as one array literal (they are checked UUIDs): knex would splice a JS array into a list.
    const rows = await em.execute<Array<Record<string, unknown>>>(
      `select distinct on (order_id) * from payments where order_id = any(?::uuid[])
       order by order_id, created_at desc, id desc`,
      [`{${wanted.join(',')}}`],
    );
    const byOrder = new Map(rows.map((row) => {
      const payment = em.map(Payment, row);
      return [payment.orderId, payment] as const;
    }));
    return orderIds.map((id) => byOrder.get(id) ?? null);
  });
}
