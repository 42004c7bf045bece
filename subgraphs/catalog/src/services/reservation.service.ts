import type { EntityManager } from '@mikro-orm/postgresql';
import { emit } from '@storegraph/common';
import {
  HOLD,
  linesJson,
  lockProducts,
  lockReservedLines,
  MOVE_STOCK_SQL,
  moveLockedStock,
  moveStock,
  RELEASE,
  reservedLines,
  RESTOCK,
  SELL,
  sumLines,
  type StockLine,
} from './stock.ledger';

export type ReservationStatus = 'HELD' | 'SOLD' | 'RELEASED' | 'REJECTED' | 'CANCELLED';

export type ReserveOutcome =
  | { outcome: 'held'; expiresAt: string }
  | { outcome: 'rejected'; productIds: string[] }
  /** The order already has a reservation row (a cancel got there first): nothing to do. */
  | { outcome: 'skipped' };

export type CancelOutcome = 'tombstone' | 'released' | 'restocked' | 'unchanged';

/**
 * Catalog's part of the order saga. Works inside the caller's transaction (the inbox
 * transaction of an event, or the expiry sweeper's), so the stock change, the reservation's
 * status and the outbox row of the resulting event commit together or not at all.
 * Every end of a hold (sold, released, cancelled, expired) is a conditional update on
 * `status = 'HELD'`: the first one to commit wins, the others match no row and do nothing.
 */
export class ReservationService {
  constructor(private readonly tx: EntityManager) {}

  /**
   * Holds every line of the order, or none of them. The buyer is kept on the reservation:
   * once SOLD it is the purchase that lets them review the products (PurchaseRecord).
   */
  async reserve(orderId: string, userId: string, items: readonly StockLine[], ttlSeconds: number): Promise<ReserveOutcome> {
    // Inserted first: the primary key serialises this against a concurrent cancel of the order.
    const inserted: Array<{ expires_at: Date | string }> = await this.tx.execute(
      `insert into reservations (order_id, user_id, status, expires_at) values (?, ?, 'HELD', now() + make_interval(secs => ?))
       on conflict (order_id) do nothing returning expires_at`,
      [orderId, userId, ttlSeconds],
    );
    if (inserted.length === 0) return { outcome: 'skipped' };

    const lines = sumLines(items);
    const stock = await lockProducts(
      this.tx,
      lines.map((line) => line.productId),
    );
    const short = lines
      .filter((line) => {
        const product = stock.get(line.productId);
        return !product || product.onHand - product.reserved < line.quantity;
      })
      .map((line) => line.productId)
      .sort();

    if (short.length > 0) {
      await this.tx.execute(
        `update reservations set status = 'REJECTED', expires_at = null, updated_at = now() where order_id = ?`,
        [orderId],
      );
      await emit(this.tx, 'catalog.stock.rejected', { orderId, productIds: short });
      return { outcome: 'rejected', productIds: short };
    }

    // The rows are locked above: hold the units and record the lines in one statement
    // (a data-modifying WITH always runs to completion).
    const json = linesJson(lines);
    await this.tx.execute(
      `with held as (${MOVE_STOCK_SQL})
       insert into reservation_items (order_id, product_id, quantity)
       select ?, x.product_id, x.quantity from jsonb_to_recordset(?::jsonb) as x(product_id uuid, quantity int)`,
      [HOLD.onHand, HOLD.reserved, json, orderId, json],
    );
    const expiresAt = new Date(inserted[0].expires_at).toISOString();
    await emit(this.tx, 'catalog.stock.reserved', { orderId, expiresAt });
    return { outcome: 'held', expiresAt };
  }

  /** The order failed: gives its held units back. False when nothing was held any more. */
  async release(orderId: string): Promise<boolean> {
    const released: unknown[] = await this.tx.execute(
      `update reservations set status = 'RELEASED', updated_at = now() where order_id = ? and status = 'HELD' returning order_id`,
      [orderId],
    );
    if (released.length === 0) return false;
    await moveLockedStock(this.tx, await lockReservedLines(this.tx, orderId), RELEASE);
    return true;
  }

  /** Payment captured: the held units are sold. False (no sale) when the hold already ended. */
  async sell(orderId: string, paymentId: string): Promise<boolean> {
    const sold: unknown[] = await this.tx.execute(
      `update reservations set status = 'SOLD', payment_id = ?, updated_at = now()
        where order_id = ? and status = 'HELD' returning order_id`,
      [paymentId, orderId],
    );
    if (sold.length === 0) return false;
    await moveLockedStock(this.tx, await lockReservedLines(this.tx, orderId), SELL, { reason: 'SALE', orderId });
    await emit(this.tx, 'catalog.stock.sold', { orderId, paymentId });
    return true;
  }

  /**
   * The order was cancelled: a hold is released, a sale restocked. With no reservation
   * yet, a tombstone row is left so the `placed` event arriving later reserves nothing.
   */
  async cancel(orderId: string): Promise<CancelOutcome> {
    const tombstone: unknown[] = await this.tx.execute(
      `insert into reservations (order_id, status) values (?, 'CANCELLED') on conflict (order_id) do nothing returning order_id`,
      [orderId],
    );
    if (tombstone.length > 0) return 'tombstone';
    // FOR UPDATE re-reads a row changed meanwhile, so `previous` is the status we replace.
    const changed: Array<{ previous: ReservationStatus }> = await this.tx.execute(
      `with current as (
         select order_id, status from reservations where order_id = ? and status in ('HELD', 'SOLD') for update)
       update reservations r set status = 'CANCELLED', updated_at = now()
         from current where r.order_id = current.order_id
       returning current.status as previous`,
      [orderId],
    );
    if (changed.length === 0) return 'unchanged';
    const lines = await lockReservedLines(this.tx, orderId);
    if (changed[0].previous === 'HELD') {
      await moveLockedStock(this.tx, lines, RELEASE);
      return 'released';
    }
    await moveLockedStock(this.tx, lines, RESTOCK, { reason: 'RETURN', orderId });
    return 'restocked';
  }

  /**
   * Releases up to `limit` holds past their deadline and announces each. SKIP LOCKED lets
   * several catalog instances sweep at once, and skips a hold a payment is selling now.
   */
  async expireDue(limit: number): Promise<string[]> {
    const expired: Array<{ order_id: string }> = await this.tx.execute(
      `with due as (
         select order_id from reservations
          where status = 'HELD' and expires_at < now()
          order by expires_at limit ? for update skip locked)
       update reservations r set status = 'RELEASED', updated_at = now()
         from due where r.order_id = due.order_id
       returning r.order_id`,
      [limit],
    );
    const orderIds = expired.map((row) => row.order_id);
    await moveStock(this.tx, await reservedLines(this.tx, orderIds), RELEASE);
    for (const orderId of orderIds) await emit(this.tx, 'catalog.reservation.expired', { orderId });
    return orderIds;
  }
}
