import DataLoader from 'dataloader';
import { isUuid } from '@storegraph/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Order } from '../entities';

/** Orders by id, one query per batch; who may see them is decided by the caller. */
export function createOrderLoader(em: EntityManager): DataLoader<string, Order | null> {
  return new DataLoader(async (ids) => {
    const wanted = [...new Set(ids.filter(isUuid))];
    const rows = wanted.length > 0 ? await em.find(Order, { id: { $in: wanted } }) : [];
    const byId = new Map(rows.map((order) => [order.id, order]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
