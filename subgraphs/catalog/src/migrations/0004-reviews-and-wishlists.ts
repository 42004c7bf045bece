import { Migration } from '@mikro-orm/migrations';

/**
 * Reviews, the purchases that allow them, and wishlists.
 *
 * Catalog never reads orders' database: it learns who bought what from the saga it already
 * takes part in. `orders.order.placed` carries the buyer, so the reservation now keeps it,
 * and a reservation is SOLD exactly while its order is paid and not cancelled (a capture
 * sells it; a cancel of a paid order turns it CANCELLED; a failed or expired order never
 * gets there). "Has a paid order of this product" is therefore a read of catalog's own
 * reservations, with no second copy of the fact to keep in step.
 */
export class ReviewsAndWishlists0004 extends Migration {
  override async up(): Promise<void> {
    // Null for reservations written before buyers were kept, and for a cancel's tombstone.
    this.addSql('alter table reservations add column user_id uuid null');
    this.addSql(`create index reservations_sold_by_user_idx on reservations (user_id) where status = 'SOLD'`);
    this.addSql('create index reservation_items_product_id_idx on reservation_items (product_id, order_id)');

    // rating_sum / rating_count on products change in the same statement as every insert
    // and delete here, so they always equal the sum and count of these rows.
    this.addSql(`
      create table reviews (
        id uuid primary key,
        product_id uuid not null constraint reviews_product_id_fk references products (id),
        user_id uuid not null,
        author_name text not null,
        rating integer not null constraint reviews_rating_check check (rating between 1 and 5),
        title text not null,
        body text not null,
        verified_purchase boolean not null,
        created_at timestamptz not null default now(),
        constraint reviews_user_product_unique unique (user_id, product_id)
      )`);
    // Ids are UUIDv7 (time-ordered): newest first is id descending, and the cursor is the id.
    this.addSql('create index reviews_product_newest_idx on reviews (product_id, id)');

    this.addSql(`
      create table wishlist_items (
        id uuid not null,
        user_id uuid not null,
        product_id uuid not null constraint wishlist_items_product_id_fk references products (id),
        created_at timestamptz not null default now(),
        primary key (user_id, product_id)
      )`);
    this.addSql('create unique index wishlist_items_user_newest_idx on wishlist_items (user_id, id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists wishlist_items');
    this.addSql('drop table if exists reviews');
    this.addSql('drop index if exists reservation_items_product_id_idx');
    this.addSql('drop index if exists reservations_sold_by_user_idx');
    this.addSql('alter table reservations drop column if exists user_id');
  }
}
