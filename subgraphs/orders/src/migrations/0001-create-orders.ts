import { Migration } from '@mikro-orm/migrations';

/**
 * The constraints carry the rules that must hold under concurrency: positive cart
 * quantities, one order per (user, idempotency key), and only known statuses.
 */
export class CreateOrders0001 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table cart_items (
        user_id uuid not null,
        product_id uuid not null,
        quantity integer not null constraint cart_items_quantity_check check (quantity > 0),
        added_at timestamptz not null default now(),
        constraint cart_items_pkey primary key (user_id, product_id)
      )`);
    this.addSql(`
      create table orders (
        id uuid primary key,
        user_id uuid not null,
        status text not null
          constraint orders_status_check check (status in ('PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED', 'FAILED')),
        failure_reason text null
          constraint orders_failure_reason_check
          check (failure_reason in ('OUT_OF_STOCK', 'PAYMENT_DECLINED', 'RESERVATION_EXPIRED')),
        total_minor integer not null constraint orders_total_minor_check check (total_minor >= 0),
        currency text not null,
        status_history jsonb not null default '[]'::jsonb,
        payment_token text not null,
        idempotency_key text null,
        request_fingerprint text null,
        created_at timestamptz not null default now(),
        constraint orders_user_idempotency_key_unique unique (user_id, idempotency_key)
      )`);
    // Order history pages by user, newest first (ids are UUIDv7, so id order is time order).
    this.addSql('create index orders_user_id_id_idx on orders (user_id, id desc)');
    this.addSql(`
      create table order_items (
        order_id uuid not null constraint order_items_order_id_fk references orders (id) on delete cascade,
        position integer not null,
        product_id uuid not null,
        quantity integer not null constraint order_items_quantity_check check (quantity > 0),
        unit_price_minor integer not null constraint order_items_unit_price_minor_check check (unit_price_minor >= 0),
        constraint order_items_pkey primary key (order_id, position)
      )`);
  }
}
