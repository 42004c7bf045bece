import { Migration } from '@mikro-orm/migrations';
import { eventTablesSql } from '@storegraph/common';

/**
 * The saga's side of catalog: the outbox and inbox of the event backbone, and one
 * reservation per order. The reservation row is keyed by the order id so that the first
 * event about an order (placed, or a cancel that overtook it) decides, by the primary key,
 * what every later event about it may do.
 */
export class CreateReservations0002 extends Migration {
  override async up(): Promise<void> {
    for (const sql of eventTablesSql) this.addSql(sql);
    this.addSql(`
      create table reservations (
        order_id uuid primary key,
        status text not null
          constraint reservations_status_check check (status in ('HELD', 'SOLD', 'RELEASED', 'REJECTED', 'CANCELLED')),
        expires_at timestamptz null,
        payment_id uuid null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    // The expiry sweeper reads only live holds, oldest deadline first.
    this.addSql(`create index reservations_held_expires_at_idx on reservations (expires_at) where status = 'HELD'`);
    this.addSql(`
      create table reservation_items (
        order_id uuid not null constraint reservation_items_order_id_fk references reservations (order_id),
        product_id uuid not null constraint reservation_items_product_id_fk references products (id),
        quantity integer not null constraint reservation_items_quantity_check check (quantity > 0),
        primary key (order_id, product_id)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists reservation_items');
    this.addSql('drop table if exists reservations');
  }
}
