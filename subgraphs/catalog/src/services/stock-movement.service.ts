import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, decodeKeysetCursor, encodeKeysetCursor, isUuid, notFound, toPage, validateFirst, type Page } from '@storegraph/common';
import type { StockMovement } from '../types/stock-movement.type';

/** Written into cursors: a cursor of this history is refused by every other listing. */
const ORDER = 'STOCK_MOVEMENTS';

/**
 * A product's page of history, newest first: a backward range scan of
 * stock_movements_product_newest_idx from the cursor's position. Params: product id, after
 * seq (twice), limit.
 */
export const STOCK_MOVEMENTS_PAGE_SQL = `
  select id, seq::text as seq, delta, on_hand, reason, order_id, at from stock_movements
   where product_id = ? and (?::bigint is null or seq < ?::bigint)
   order by seq desc limit ?`;

interface MovementRow {
  id: string;
  seq: string;
  delta: number;
  on_hand: number;
  reason: string;
  order_id: string | null;
  at: Date | string;
}

/** The inventory history (written by every stock change, see stock.ledger.ts). */
export class StockMovementService {
  constructor(private readonly em: EntityManager) {}

  /** An unknown product is NOT_FOUND (a known one with no movements is an empty page). */
  async list(productId: string, first: number, after: string | null | undefined): Promise<Page<StockMovement>> {
    validateFirst(first);
    const afterSeq = after ? decodeSeq(after) : null;
    if (!isUuid(productId)) throw notFound('Product');
    const [rows, [count]] = await Promise.all([
      this.em.execute<MovementRow[]>(STOCK_MOVEMENTS_PAGE_SQL, [productId, afterSeq, afterSeq, first + 1]),
      this.em.execute<Array<{ total: number; found: number }>>(
        `select (select count(*) from stock_movements where product_id = ?)::int as total,
                (select count(*) from products where id = ?)::int as found`,
        [productId, productId],
      ),
    ]);
    if (count.found === 0) throw notFound('Product');
    const seqs = new Map<string, string>();
    const movements = rows.map((row) => {
      seqs.set(row.id, row.seq);
      return { id: row.id, at: new Date(row.at), delta: row.delta, onHand: row.on_hand, reason: row.reason, orderId: row.order_id };
    });
    return toPage(movements, first, count.total, (movement) => encodeKeysetCursor(ORDER, seqs.get(movement.id)!, movement.id));
  }
}

function decodeSeq(after: string): string {
  const { key } = decodeKeysetCursor(after, ORDER);
  if (!/^\d{1,18}$/.test(key)) throw badInput('after is not a cursor this API issued', 'after');
  return key;
}
