import { Migration } from '@mikro-orm/migrations';

/**
 * `catalog.products.changed` carries what gateways need to keep a cached read instead of
 * dropping it when only stock moved (every reservation does that):
 *
 * - `stock`: when the statement changed nothing of its rows but stock (on_hand - reserved)
 *   and no stock crossed zero (`lists` false), the new stock of each product, in the order
 *   of `productIds`. Gateways write it into the cached reads that hold those products.
 * - `sequence`: from a sequence read inside the changing statement, while it holds its
 *   rows' locks: two changes of one product get increasing numbers in commit order, so a
 *   gateway can ignore an event that arrives after a newer one (the outbox sweeper may
 *   publish an envelope a second time, late).
 *
 * The trigger functions are replaced whole (0008 wrote them); `down` puts 0008's back.
 */
export class StockInChangeEvents0009 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create sequence product_change_seq');
    this.addSql(`
      create or replace function products_created() returns trigger language plpgsql as $$
      declare ids jsonb;
      begin
        select jsonb_agg(id) into ids from new_rows;
        if ids is not null then
          perform announce_catalog_change('catalog.products.changed',
            jsonb_build_object('productIds', ids, 'lists', true, 'sequence', nextval('product_change_seq')));
        end if;
        return null;
      end $$`);
    this.addSql(`
      create or replace function products_updated() returns trigger language plpgsql as $$
      declare ids jsonb; stocks jsonb; lists boolean; stock_only boolean; data jsonb;
      begin
        select jsonb_agg(n.id order by n.id), jsonb_agg(n.on_hand - n.reserved order by n.id),
               bool_or(n.archived is distinct from o.archived or n.price_minor <> o.price_minor or n.name <> o.name
                 or n.description <> o.description or n.category_id is distinct from o.category_id
                 or n.rating_sum <> o.rating_sum or n.rating_count <> o.rating_count
                 or (n.on_hand - n.reserved > 0) <> (o.on_hand - o.reserved > 0)),
               bool_and((n.price_minor, n.name, n.description, n.sku, n.archived, n.category_id, n.images, n.rating_sum, n.rating_count)
                 is not distinct from
                 (o.price_minor, o.name, o.description, o.sku, o.archived, o.category_id, o.images, o.rating_sum, o.rating_count))
          into ids, stocks, lists, stock_only
          from new_rows n join old_rows o on o.id = n.id
         where (n.on_hand - n.reserved, n.price_minor, n.name, n.description, n.sku, n.archived, n.category_id,
                n.images, n.rating_sum, n.rating_count)
               is distinct from
               (o.on_hand - o.reserved, o.price_minor, o.name, o.description, o.sku, o.archived, o.category_id,
                o.images, o.rating_sum, o.rating_count);
        if ids is not null then
          data := jsonb_build_object('productIds', ids, 'lists', lists, 'sequence', nextval('product_change_seq'));
          if stock_only and not lists then
            data := data || jsonb_build_object('stock', stocks);
          end if;
          perform announce_catalog_change('catalog.products.changed', data);
        end if;
        return null;
      end $$`);
  }

  override async down(): Promise<void> {
    this.addSql(`
      create or replace function products_created() returns trigger language plpgsql as $$
      declare ids jsonb;
      begin
        select jsonb_agg(id) into ids from new_rows;
        if ids is not null then
          perform announce_catalog_change('catalog.products.changed', jsonb_build_object('productIds', ids, 'lists', true));
        end if;
        return null;
      end $$`);
    // 0008's products_updated: the same change test, without stock or sequence.
    this.addSql(`
      create or replace function products_updated() returns trigger language plpgsql as $$
      declare ids jsonb; lists boolean;
      begin
        select jsonb_agg(n.id),
               bool_or(n.archived is distinct from o.archived or n.price_minor <> o.price_minor or n.name <> o.name
                 or n.description <> o.description or n.category_id is distinct from o.category_id
                 or n.rating_sum <> o.rating_sum or n.rating_count <> o.rating_count
                 or (n.on_hand - n.reserved > 0) <> (o.on_hand - o.reserved > 0))
          into ids, lists
          from new_rows n join old_rows o on o.id = n.id
         where (n.on_hand - n.reserved, n.price_minor, n.name, n.description, n.sku, n.archived, n.category_id,
                n.images, n.rating_sum, n.rating_count)
               is distinct from
               (o.on_hand - o.reserved, o.price_minor, o.name, o.description, o.sku, o.archived, o.category_id,
                o.images, o.rating_sum, o.rating_count);
        if ids is not null then
          perform announce_catalog_change('catalog.products.changed', jsonb_build_object('productIds', ids, 'lists', lists));
        end if;
        return null;
      end $$`);
    this.addSql('drop sequence if exists product_change_seq');
  }
}
