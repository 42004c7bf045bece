import { Migration } from '@mikro-orm/migrations';

/**
 * Version 2 of the listing: every sort order has a btree index whose column order is the
 * ORDER BY of a page (sort key, then id for ties), so a page is an index range scan that
 * stops after `first + 1` rows, and a keyset cursor `(key, id) > (?, ?)` is an index bound.
 * A descending sort walks the same index backwards (ties then go by id descending).
 */
export class ProductSortsAndImages0003 extends Migration {
  override async up(): Promise<void> {
    // Ratings are kept as an exact sum and count (the reviews work adds and subtracts in one
    // statement); the average is derived by PostgreSQL so it can never drift from them.
    // Unrated products average 0, below every real average (1..5): "unrated last" in a
    // descending sort with no NULL handling, which keeps the keyset a plain row comparison.
    this.addSql(`
      alter table products
        add column rating_sum integer not null default 0 constraint products_rating_sum_check check (rating_sum >= 0),
        add column rating_count integer not null default 0 constraint products_rating_count_check check (rating_count >= 0),
        add column rating_average numeric generated always as
          (case when rating_count = 0 then 0 else rating_sum::numeric / rating_count end) stored,
        add column images jsonb not null default '[]'::jsonb
          constraint products_images_check check (jsonb_typeof(images) = 'array')`);
    // A match in the name outranks one in the description (weights A and B for ts_rank).
    this.addSql('drop index products_search_idx');
    this.addSql('alter table products drop column search');
    this.addSql(`
      alter table products add column search tsvector generated always as
        (setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'B')) stored`);
    this.addSql('create index products_search_idx on products using gin (search)');
    this.addSql('create index products_price_idx on products (price_minor, id)');
    // The C collation sorts "Zebra" before "apple"; shoppers expect the alphabet.
    this.addSql('create index products_name_idx on products (lower(name), id)');
    this.addSql('create index products_rating_idx on products (rating_average, id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists products_rating_idx');
    this.addSql('drop index if exists products_name_idx');
    this.addSql('drop index if exists products_price_idx');
    this.addSql('alter table products drop column if exists images, drop column if exists rating_average');
    this.addSql('alter table products drop column if exists rating_count, drop column if exists rating_sum');
    this.addSql('drop index if exists products_search_idx');
    this.addSql('alter table products drop column search');
    this.addSql(`alter table products add column search tsvector generated always as (to_tsvector('english', name || ' ' || description)) stored`);
    this.addSql('create index products_search_idx on products using gin (search)');
  }
}
