import { Migration } from '@mikro-orm/migrations';

/**
 * Change events for the gateways' read cache: `catalog.products.changed` and
 * `catalog.categories.changed` (packages/common/src/events/contracts.ts).
 *
 * Written by statement-level triggers rather than by each service, so that no statement
 * that changes what the public API shows can forget its event: admin edits, reviews
 * (rating), and the saga's one-statement reservation steps all change product rows. The
 * outbox row is inserted in the changing statement's own transaction, once per statement
 * (transition tables), and only for changes a client can see: a sale moves on_hand and
 * reserved together and leaves `stock` (on_hand - reserved) unchanged, so it writes none.
 *
 * The trigger also NOTIFYs the envelope: PostgreSQL delivers it at commit, and catalog's
 * OutboxNotifications hands it to the relay at once (the relay's commit hook never sees
 * trigger-written rows). An envelope too large to notify (thousands of products in one
 * statement) is left to the outbox sweeper; gateways' TTL is the backstop.
 */
export class ReadPath0008 extends Migration {
  override async up(): Promise<void> {
    // The outbox's envelope, as emit() writes it; ids are UUIDv7 (stock_movement_id, 0005).
    this.addSql(`
      create function announce_catalog_change(subject text, data jsonb) returns void language plpgsql as $$
      declare
        event_id uuid := stock_movement_id();
        envelope jsonb := jsonb_build_object(
          'id', event_id, 'subject', subject, 'version', 1,
          'occurredAt', to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'data', data);
      begin
        insert into outbox (id, subject, envelope) values (event_id, subject, envelope);
        if octet_length(envelope::text) < 7900 then
          perform pg_notify('outbox_committed', envelope::text);
        end if;
      end $$`);
    this.addSql(`
      create function products_created() returns trigger language plpgsql as $$
      declare ids jsonb;
      begin
        select jsonb_agg(id) into ids from new_rows;
        if ids is not null then
          perform announce_catalog_change('catalog.products.changed', jsonb_build_object('productIds', ids, 'lists', true));
        end if;
        return null;
      end $$`);
    this.addSql(`
      create function products_updated() returns trigger language plpgsql as $$
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
    this.addSql(`
      create function categories_changed() returns trigger language plpgsql as $$
      declare ids jsonb;
      begin
        select jsonb_agg(id) into ids from new_rows;
        if ids is not null then
          perform announce_catalog_change('catalog.categories.changed', jsonb_build_object('categoryIds', ids));
        end if;
        return null;
      end $$`);
    this.addSql(`create trigger products_created after insert on products
      referencing new table as new_rows for each statement execute function products_created()`);
    this.addSql(`create trigger products_updated after update on products
      referencing old table as old_rows new table as new_rows for each statement execute function products_updated()`);
    this.addSql(`create trigger categories_created after insert on categories
      referencing new table as new_rows for each statement execute function categories_changed()`);
    this.addSql(`create trigger categories_updated after update on categories
      referencing new table as new_rows for each statement execute function categories_changed()`);
  }

  override async down(): Promise<void> {
    for (const [trigger, table] of [
      ['products_created', 'products'],
      ['products_updated', 'products'],
      ['categories_created', 'categories'],
      ['categories_updated', 'categories'],
    ]) {
      this.addSql(`drop trigger if exists ${trigger} on ${table}`);
    }
    this.addSql('drop function if exists products_created(), products_updated(), categories_changed()');
    this.addSql('drop function if exists announce_catalog_change(text, jsonb)');
  }
}
