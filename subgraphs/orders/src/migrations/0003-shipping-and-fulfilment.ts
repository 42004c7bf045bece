import { Migration } from '@mikro-orm/migrations';

/**
 * Fulfilment and the admin listing: two more statuses (CONFIRMED -> SHIPPED ->
 * DELIVERED), the shipment's carrier, tracking number and times, the shipping address
 * copied at checkout (JSON: it is read and written whole, never queried by part), and
 * the index `Query.orders` pages a status with, newest first. The user filter has
 * orders_user_id_id_idx already; without a filter it walks the primary key backwards;
 * placement-time bounds become id bounds (UUIDv7 ids carry checkout's millisecond).
 */
export class ShippingAndFulfilment0003 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table orders drop constraint orders_status_check');
    this.addSql(`
      alter table orders
        add constraint orders_status_check
          check (status in ('PENDING', 'RESERVED', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'FAILED')),
        add column shipping_address jsonb null,
        add column carrier text null,
        add column tracking_number text null,
        add column shipped_at timestamptz null,
        add column delivered_at timestamptz null,
        add constraint orders_shipment_check check (
          (status in ('SHIPPED', 'DELIVERED')) = (carrier is not null and tracking_number is not null and shipped_at is not null)
          and (status = 'DELIVERED') = (delivered_at is not null))`);
    this.addSql('create index orders_status_id_idx on orders (status, id desc)');
  }
}
