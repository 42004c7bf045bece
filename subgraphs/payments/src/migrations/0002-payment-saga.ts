import { Migration } from '@mikro-orm/migrations';
import { eventTablesSql } from '@storegraph/common';

/**
 * What the saga needs: the outbox and inbox, ONE payment attempt per order, and the
 * provider's references. Still no card data (0003 keeps the token on a PENDING attempt).
 */
export class PaymentSaga0002 extends Migration {
  override async up(): Promise<void> {
    for (const sql of eventTablesSql) this.addSql(sql);
    // Before this migration nothing in the system wrote payments (the saga is the first
    // writer), so several rows per order exist only in hand-seeded development and test
    // databases. Keep the newest of each order, the one Order.payment showed, so the
    // constraint below can be added everywhere.
    this.addSql(`
      delete from payments p using payments newer
      where newer.order_id = p.order_id
        and (newer.created_at, newer.id) > (p.created_at, p.id)`);
    // The constraint, not a check-then-insert, is what makes "at most one capture per order
    // whatever the retries" true: concurrent captures of one order serialise on it.
    this.addSql('alter table payments add constraint payments_order_id_key unique (order_id)');
    // The unique constraint's index serves every lookup by order.
    this.addSql('drop index if exists payments_order_id_idx');
    this.addSql('alter table payments add column if not exists provider_ref text null');
    this.addSql('alter table payments add column if not exists refund_ref text null');
    this.addSql('alter table payments add column if not exists updated_at timestamptz not null default now()');
  }
}
