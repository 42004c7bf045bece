import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@storegraph/common';
import { Payment } from '../entities';

/** Payments by id, one query per batch; who may see them is decided by the caller. */
export function createPaymentLoader(em: EntityManager): DataLoader<string, Payment | null> {
  return new DataLoader(async (ids) => {
    const wanted = [...new Set(ids.filter(isUuid))];
    const rows = wanted.length > 0 ? await em.find(Payment, { id: { $in: wanted } }) : [];
    const byId = new Map(rows.map((payment) => [payment.id, payment]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
