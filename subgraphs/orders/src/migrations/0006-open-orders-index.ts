import { Migration } from '@mikro-orm/migrations';

/**
 * The orders still on their way (PENDING, RESERVED), by age: what /metrics reads at every
 * scrape for the "stuck order" alerts. Partial, so it stays as small as the saga's work in
 * flight however many orders are done.
 */
export class OpenOrdersIndex0006 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index orders_open_idx on orders (status, created_at) where status in ('PENDING', 'RESERVED')`);
  }
}
