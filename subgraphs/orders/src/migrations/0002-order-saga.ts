import { Migration } from '@mikro-orm/migrations';
import { eventTablesSql } from '@storegraph/common';

/**
 * The saga's storage: the outbox and inbox of the event backbone, and on each order the
 * captured payment orders has heard of and whether its refund was requested. The flag
 * is what makes "refund exactly once" a conditional update instead of a hope.
 */
export class OrderSaga0002 extends Migration {
  override async up(): Promise<void> {
    for (const sql of eventTablesSql) this.addSql(sql);
    this.addSql(`
      alter table orders
        add column payment_id uuid null,
        add column refund_requested boolean not null default false`);
  }
}
