import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderItem } from '../entities';

/** Items of many orders in one query, so a page of orders never costs a query per order. */
export function createOrderItemsLoader(em: EntityManager): DataLoader<string, OrderItem[]> {
  return new DataLoader(async (orderIds) => {
    const rows = await em.find(OrderItem, { orderId: { $in: [...new Set(orderIds)] } }, { orderBy: { orderId: 'asc', position: 'asc' } });
    const byOrder = new Map<string, OrderItem[]>();
    for (const item of rows) {
      const list = byOrder.get(item.orderId);
      if (list) list.push(item);
      else byOrder.set(item.orderId, [item]);
    }
    return orderIds.map((id) => byOrder.get(id) ?? []);
  });
}
