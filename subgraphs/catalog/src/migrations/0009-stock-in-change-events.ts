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
 * The trigger functions are replaced whole (0008 wrote them); `down` puts 0008's back,
 * the same change tests without stock or sequence.
 */
/** The change may move a product into, out of or within a listing (0008's test). */
const LISTS_CHANGED = `bool_or(n.archived is distinct from o.archived or n.price_minor <> o.price_minor or n.name <> o.name
  or n.description <> o.description or n.category_id is distinct from o.category_id
  or n.rating_sum <> o.rating_sum or n.rating_count <> o.rating_count
  or (n.on_hand - n.reserved > 0) <> (o.on_hand - o.reserved > 0))`;

/** Everything of a product row the public API shows but its stock, new (n) and old (o). */
const shown = (row: 'n' | 'o') =>
  `(${row}.price_minor, ${row}.name, ${row}.description, ${row}.sku, ${row}.archived, ${row}.category_id, ${row}.images, ${row}.rating_sum, ${row}.rating_count)`;

/** The rows of the statement whose change a client can see (0008's test): stock or anything shown. */
const VISIBLE_CHANGES = `from new_rows n join old_rows o on o.id = n.id
  where (n.on_hand - n.reserved, ${shown('n').slice(1)} is distinct from (o.on_hand - o.reserved, ${shown('o').slice(1)}`;

/** products_created and products_updated, announcing with or without stock and sequence. */
function productTriggers(withStock: boolean): string[] {
  const sequence = withStock ? `, 'sequence', nextval('product_change_seq')` : '';
  return [
    `create or replace function products_created() returns trigger language plpgsql as $$
      declare ids jsonb;
      begin
        select jsonb_agg(id) into ids from new_rows;
        if ids is not null then
          perform announce_catalog_change('catalog.products.changed', jsonb_build_object('productIds', ids, 'lists', true${sequence}));
        end if;
        return null;
      end $$`,
    withStock
      ? `create or replace function products_updated() returns trigger language plpgsql as $$
      declare ids jsonb; stocks jsonb; lists boolean; stock_only boolean; data jsonb;
      begin
        select jsonb_agg(n.id order by n.id), jsonb_agg(n.on_hand - n.reserved order by n.id), ${LISTS_CHANGED},
               bool_and(${shown('n')} is not distinct from ${shown('o')})
          into ids, stocks, lists, stock_only ${VISIBLE_CHANGES};
        if ids is not null then
          data := jsonb_build_object('productIds', ids, 'lists', lists${sequence});
          if stock_only and not lists then
            data := data || jsonb_build_object('stock', stocks);
          end if;
          perform announce_catalog_change('catalog.products.changed', data);
        end if;
        return null;
      end $$`
      : `create or replace function products_updated() returns trigger language plpgsql as $$
      declare ids jsonb; lists boolean;
      begin
        select jsonb_agg(n.id), ${LISTS_CHANGED} into ids, lists ${VISIBLE_CHANGES};
        if ids is not null then
          perform announce_catalog_change('catalog.products.changed', jsonb_build_object('productIds', ids, 'lists', lists));
        end if;
        return null;
      end $$`,
  ];
}

export class StockInChangeEvents0009 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create sequence product_change_seq');
    for (const sql of productTriggers(true)) this.addSql(sql);
  }

  override async down(): Promise<void> {
    for (const sql of productTriggers(false)) this.addSql(sql);
    this.addSql('drop sequence if exists product_change_seq');
  }
}
