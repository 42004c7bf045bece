import type { EntityManager } from '@mikro-orm/postgresql';
import { emit, envelopesOf, executeEmitting, outboxInsert, sql, type EventEnvelope } from '@storegraph/common';

/**
 * Tells the other subgraphs a user's default shipping address (orders keeps it for
 * checkout: docs/decisions.md, "How orders learns the shipping address"). Each runs in
 * the transaction of the change it announces, so the event exists exactly when the change
 * committed, and is published by the outbox relay after commit.
 */

/** A new account has no address: version 0, none (register's transaction; the row is not flushed yet). */
export async function announceNewAccount(tx: EntityManager, userId: string): Promise<void> {
  await emit(tx, 'users.default-address.changed', { userId, version: 0, address: null });
}

/**
 * The user's current default (or none) under the next version, in ONE statement: the
 * counter's bump and the outbox row. Call it after the change is flushed and while the
 * user's row is locked (AddressService locks it first), so versions follow commit order.
 */
export async function announceDefaultAddress(tx: EntityManager, userId: string): Promise<void> {
  await executeEmitting<{ events: EventEnvelope[] }>(
    tx,
    sql`with bumped as (
          update users set default_address_version = default_address_version + 1
           where id = ${userId}::uuid returning id, default_address_version),
        announced as (${outboxInsert(
          'users.default-address.changed',
          sql`bumped`,
          sql`jsonb_build_object('userId', bumped.id, 'version', bumped.default_address_version, 'address',
                (select jsonb_build_object('name', a.name, 'line1', a.line1, 'line2', a.line2, 'city', a.city, 'region', a.region,
                                           'postalCode', a.postal_code, 'country', a.country, 'phone', a.phone)
                   from addresses a where a.user_id = bumped.id and a.is_default))`,
        )})
        select ${envelopesOf(sql`announced`)} as events`,
  );
}
