import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { detachedEntity, executePrepared, isUuid } from '@storegraph/common';
import { OrderItem } from '../entities';

/** Items of many orders in one query, so a page of orders never costs a query per order. */
export function createOrderItemsLoader(em: EntityManager): DataLoader<string, OrderItem[]> {
  return new DataLoader(async (orderIds) => {
    // A prepared statement, items built detached (read-only): every page of orders asks.
    const found = await executePrepared<{ order_id: string; position: number; product_id: string; quantity: number; unit_price_minor: number }>(em, {
      text: 'select order_id, position, product_id, quantity, unit_price_minor from order_items where order_id = any(?::uuid[]) order by order_id, position',
      params: [`{${[...new Set(orderIds.filter(isUuid))].join(',')}}`],
    });
    const rows = found.map((row) =>
      detachedEntity(OrderItem, {
        orderId: row.order_id,
        position: row.position,
        productId: row.product_id,
        quantity: row.quantity,
        unitPriceMinor: row.unit_price_minor,
      }),
    );
    const byOrder = new Map<string, OrderItem[]>();
    for (const item of rows) {
      const list = byOrder.get(item.orderId);
      if (list) list.push(item);
      else byOrder.set(item.orderId, [item]);
    }
    return orderIds.map((id) => byOrder.get(id) ?? []);
  });
}
