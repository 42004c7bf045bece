import { Migration } from '@mikro-orm/migrations';

/**
 * Archived products, and the history of units on hand.
 *
 * Archiving keeps the row (past orders and carts still resolve it) and takes it out of the
 * listing: the sort indexes become partial on `not archived`, which the listing's filter
 * always carries, so every sort stays an index range scan that never visits archived rows.
 *
 * Every statement that changes `on_hand` inserts its `stock_movements` rows in the same
 * statement or transaction, so the movements of a product always sum to its units on hand
 * (the initial stock of a product is its first movement). `seq` orders a product's history
 * (newest first = seq descending); ids are UUIDv7 like every other id, made in SQL because
 * one statement may write several rows (a sale of many products).
 */
export class ArchiveAndStockMovements0005 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table products add column archived boolean not null default false');
    for (const [name, columns] of LISTED_INDEXES) {
      this.addSql(`drop index ${name}`);
      this.addSql(`create index ${name} on products (${columns}) where not archived`);
    }

    // UUIDv7: 48 bits of Unix milliseconds, then random bits, version 7 (RFC 9562).
    this.addSql(`
      create function stock_movement_id() returns uuid language sql volatile as $$
        select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
          placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6),
          52, 1), 53, 1), 'hex')::uuid
      $$`);
    this.addSql(`
      create table stock_movements (
        id uuid primary key default stock_movement_id(),
        seq bigint generated always as identity,
        product_id uuid not null constraint stock_movements_product_id_fk references products (id),
        delta integer not null constraint stock_movements_delta_check check (delta <> 0),
        on_hand integer not null constraint stock_movements_on_hand_check check (on_hand >= 0),
        reason text not null,
        order_id uuid null,
        at timestamptz not null default now()
      )`);
    this.addSql('create unique index stock_movements_product_newest_idx on stock_movements (product_id, seq)');
    // Products that existed before the history: their stock is where it starts.
    this.addSql(`
      insert into stock_movements (product_id, delta, on_hand, reason)
      select id, on_hand, on_hand, 'RESTOCK' from products where on_hand > 0 order by id`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists stock_movements');
    this.addSql('drop function if exists stock_movement_id()');
    for (const [name, columns] of LISTED_INDEXES) {
      this.addSql(`drop index if exists ${name}`);
      this.addSql(`create index ${name} on products (${columns})`);
    }
    this.addSql('alter table products drop column if exists archived');
  }
}

/** The listing's sort indexes (migration 0003), by name and columns. */
const LISTED_INDEXES: Array<[string, string]> = [
  ['products_price_idx', 'price_minor, id'],
  ['products_name_idx', 'lower(name), id'],
  ['products_rating_idx', 'rating_average, id'],
];
