import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared, isUuid } from '@storegraph/common';
import type { Payment } from '../entities';
import { PAYMENT_COLUMNS, paymentFromRow, type PaymentRow } from './payment.row';

/** Payments by id, one prepared query per batch, detached; who may see them is decided by the caller. */
export function createPaymentLoader(em: EntityManager): DataLoader<string, Payment | null> {
  return new DataLoader(async (ids) => {
    const wanted = [...new Set(ids.filter(isUuid))];
    const rows = wanted.length > 0
      ? await executePrepared<PaymentRow>(em, { text: `select ${PAYMENT_COLUMNS} from payments where id = any(?::uuid[])`, params: [`{${wanted.join(',')}}`] })
      : [];
    const byId = new Map(rows.map((row) => [row.id, paymentFromRow(row)] as const));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
