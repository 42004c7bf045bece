import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Sql } from '@storegraph/common';

/** One line of an order, or of a reservation: units of one product. */
export interface StockLine {
  productId: string;
  quantity: number;
}

/** Signs applied to each line's quantity: how a saga step moves units between columns. */
export interface Movement {
  onHand: -1 | 0 | 1;
  reserved: -1 | 0 | 1;
}

export const HOLD: Movement = { onHand: 0, reserved: 1 };
export const RELEASE: Movement = { onHand: 0, reserved: -1 };
/** A sale: the held units leave the shelf for good. */
export const SELL: Movement = { onHand: -1, reserved: -1 };
/** A sold order cancelled: its units come back on hand. */
export const RESTOCK: Movement = { onHand: 1, reserved: 0 };

export interface LockedProduct {
  id: string;
  onHand: number;
  reserved: number;
}

/** A PostgreSQL array literal; ids are UUIDs (validated by the event contract), so no quoting is needed. */
export const uuidArray = (ids: readonly string[]): string => `{${ids.join(',')}}`;

/** Sums the quantities per product (an order may name a product on several lines). */
export function sumLines(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) {
    const id = line.productId.toLowerCase();
    totals.set(id, (totals.get(id) ?? 0) + line.quantity);
  }
  return [...totals].map(([productId, quantity]) => ({ productId, quantity }));
}

/**
 * Locks the products in ONE statement, in id order: every writer of stock locks this
 * way, so two transactions wanting overlapping products queue instead of deadlocking.
 */
export async function lockProducts(tx: EntityManager, ids: readonly string[]): Promise<Map<string, LockedProduct>> {
  if (ids.length === 0) return new Map();
  const rows: Array<{ id: string; on_hand: number; reserved: number }> = await tx.execute(
    'select id, on_hand, reserved from products where id = any(?::uuid[]) order by id for update',
    [uuidArray(ids)],
  );
  return new Map(rows.map((row) => [row.id, { id: row.id, onHand: row.on_hand, reserved: row.reserved }]));
}

/** Applies a movement to every line, after taking the row locks in id order. */
export async function moveStock(tx: EntityManager, lines: readonly StockLine[], movement: Movement): Promise<void> {
  if (lines.length === 0) return;
  await lockProducts(
    tx,
    lines.map((line) => line.productId),
  );
  await moveLockedStock(tx, lines, movement);
}

/** The jsonb the ledger's statements take their lines from (one parameter, any number of lines). */
export const linesJson = (lines: readonly StockLine[]): string =>
  JSON.stringify(lines.map((l) => ({ product_id: l.productId, quantity: l.quantity })));

/**
 * The UPDATE of a movement; `?` order: onHand sign, reserved sign, lines json. Only for
 * movements of `reserved` alone (a hold): a change of units on hand goes through
 * moveLockedStock, which records it.
 */
export const MOVE_STOCK_SQL = `update products p
    set on_hand = p.on_hand + ? * x.quantity, reserved = p.reserved + ? * x.quantity
   from jsonb_to_recordset(?::jsonb) as x(product_id uuid, quantity int)
  where p.id = x.product_id`;

/** Why units on hand changed, as `StockMovement.reason` shows it (an ADMIN's adjustment gives its own text). */
export type MovementReason = 'RESTOCK' | 'CORRECTION' | 'SALE' | 'RETURN';

/** What a movement of units on hand is recorded as: the reason, and the order behind it. */
export interface MovementRecord {
  reason: MovementReason | string;
  orderId: string | null;
}

/**
 * THE insert of the inventory history, for every writer of `on_hand`: one row per row of
 * `moved` (a CTE of the statement that changed the stock, with columns product_id, delta
 * and on_hand as left by the change). Zero deltas are not movements. Used inside the very
 * statement that moves the stock, so the history cannot miss or invent a change.
 */
export function recordMovements(moved: Sql, record: MovementRecord): Sql {
  return sql`insert into stock_movements (product_id, delta, on_hand, reason, order_id)
    select m.product_id, m.delta, m.on_hand, ${record.reason}, ${record.orderId}::uuid from ${moved} m
     where m.delta <> 0 order by m.product_id`;
}

/**
 * Applies a movement to lines whose product rows this transaction has already locked (in id
 * order). A movement of units on hand (a sale, a restock) needs its record.
 */
export async function moveLockedStock(tx: EntityManager, lines: readonly StockLine[], movement: Movement, record?: MovementRecord): Promise<void> {
  if (lines.length === 0) return;
  if (movement.onHand !== 0 && !record) throw new Error('A change of units on hand needs its stock movement record');
  // The check constraint (0 <= reserved <= on_hand, on_hand >= 0) is the last line of defence.
  const moved = sql`update products p
      set on_hand = p.on_hand + ${movement.onHand} * x.quantity, reserved = p.reserved + ${movement.reserved} * x.quantity
     from jsonb_to_recordset(${linesJson(lines)}::jsonb) as x(product_id uuid, quantity int)
    where p.id = x.product_id
    returning p.id as product_id, ${movement.onHand} * x.quantity as delta, p.on_hand`;
  const statement = record
    ? sql`with moved as (${moved}), recorded as (${recordMovements(sql`moved`, record)}) select 1`
    : moved;
  await tx.execute(statement.text, [...statement.params]);
}

/**
 * One order's reserved lines (one per product: the primary key), with their product rows
 * locked in id order like lockProducts, in one statement instead of a read and a lock.
 */
export async function lockReservedLines(tx: EntityManager, orderId: string): Promise<StockLine[]> {
  const rows: Array<{ product_id: string; quantity: number }> = await tx.execute(
    `select ri.product_id, ri.quantity from reservation_items ri join products p on p.id = ri.product_id
      where ri.order_id = ? order by p.id for update of p`,
    [orderId],
  );
  return rows.map((row) => ({ productId: row.product_id, quantity: row.quantity }));
}

/** The units held by the given reservations, summed per product. */
export async function reservedLines(tx: EntityManager, orderIds: readonly string[]): Promise<StockLine[]> {
  if (orderIds.length === 0) return [];
  const rows: Array<{ product_id: string; quantity: number }> = await tx.execute(
    `select product_id, sum(quantity)::int as quantity from reservation_items
      where order_id = any(?::uuid[]) group by product_id`,
    [uuidArray(orderIds)],
  );
  return rows.map((row) => ({ productId: row.product_id, quantity: row.quantity }));
}
