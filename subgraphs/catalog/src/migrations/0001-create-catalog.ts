import { Migration } from '@mikro-orm/migrations';

/**
 * The constraints are the source of truth: duplicates, negative prices and stock below
 * what is reserved are refused by PostgreSQL, whatever the concurrency.
 */
export class CreateCatalog0001 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table categories (
        id uuid primary key,
        name text not null,
        slug text not null constraint categories_slug_unique unique,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table products (
        id uuid primary key,
        sku text not null constraint products_sku_unique unique,
        name text not null,
        description text not null default '',
        price_minor integer not null constraint products_price_minor_check check (price_minor >= 0),
        category_id uuid null constraint products_category_id_fk references categories (id),
        on_hand integer not null default 0 constraint products_on_hand_check check (on_hand >= 0),
        reserved integer not null default 0
          constraint products_reserved_check check (reserved >= 0 and reserved <= on_hand),
        created_at timestamptz not null default now(),
        search tsvector generated always as (to_tsvector('english', name || ' ' || description)) stored
      )`);
    this.addSql('create index products_search_idx on products using gin (search)');
    // Listing by category pages in id order.
    this.addSql('create index products_category_id_idx on products (category_id, id)');
    this.addSql('create index categories_name_idx on categories (name)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists products');
    this.addSql('drop table if exists categories');
  }
}
