import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared, isUuid } from '@storegraph/common';
import type { Payment } from '../entities';
import { PAYMENT_COLUMNS, paymentFromRow, type PaymentRow } from './payment.row';

/**
 * The payment of each order, for any number of orders in one query. Since migration 0002
 * an order has at most one (order_id is unique); `distinct on` still picks the newest, so
 * the answer would stay the latest attempt if attempts per order ever became several.
 * A prepared statement and detached payments: every order page asks (order history).
 */
export function createLatestPaymentLoader(em: EntityManager): DataLoader<string, Payment | null> {
  return new DataLoader(async (orderIds) => {
    const wanted = [...new Set(orderIds.filter(isUuid))];
    if (wanted.length === 0) return orderIds.map(() => null);
    // distinct on keeps the first row per order in the given order: the newest (ids are UUIDv7).
    // The ids go as one array literal (they are checked UUIDs).
    const rows = await executePrepared<PaymentRow>(em, {
      text: `select distinct on (order_id) ${PAYMENT_COLUMNS} from payments where order_id = any(?::uuid[])
       order by order_id, created_at desc, id desc`,
      params: [`{${wanted.join(',')}}`],
    });
    const byOrder = new Map(rows.map((row) => [row.order_id, paymentFromRow(row)] as const));
    return orderIds.map((id) => byOrder.get(id) ?? null);
  });
}
