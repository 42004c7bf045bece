import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared, sql, type EventEnvelope, type Sql } from '@storegraph/common';
import type { StoredShippingAddress } from '../entities';

/**
 * Orders' copy of each user's default shipping address (table user_default_addresses,
 * migration 0007), kept from users' `users.default-address.changed`. Checkout reads it
 * instead of calling users when no address is named (docs/decisions.md).
 */

/** What the copy says of one user: their default (null: none); null itself when orders has no row for them. */
export type KnownDefault = { address: StoredShippingAddress | null } | null;

/**
 * Applies one announcement (in the consumer's inbox transaction, so a redelivery is
 * applied once): the row is written only when its version is newer than the one held,
 * under the row's lock, so of two announcements arriving in either order or at once the
 * newer one is what stays.
 */
export async function applyDefaultAddress(tx: EntityManager, event: EventEnvelope<'users.default-address.changed'>): Promise<void> {
  const { userId, version, address } = event.data;
  await tx.execute(
    `insert into user_default_addresses (user_id, version, address, changed_at) values (?, ?, ?::jsonb, ?)
     on conflict (user_id) do update
       set version = excluded.version, address = excluded.address, changed_at = excluded.changed_at, applied_at = now()
     where user_default_addresses.version < excluded.version`,
    [userId, version, address && JSON.stringify(address), event.occurredAt],
  );
}

/**
 * The copy as a column of another statement (checkout's cart read): `{"address": ...}`
 * when orders holds a row for the user, SQL null when not. A primary-key probe PostgreSQL
 * runs once per statement (an InitPlan), however many cart lines the statement returns.
 */
export function knownDefaultColumn(userId: Sql): Sql {
  return sql`(select jsonb_build_object('address', d.address) from user_default_addresses d where d.user_id = ${userId})`;
}

/** The copy on its own, for the checkouts whose cart read did not return it (an empty cart then). */
export async function readKnownDefault(em: EntityManager, userId: string): Promise<KnownDefault> {
  const [row] = await executePrepared<{ known: KnownDefault }>(em, sql`select ${knownDefaultColumn(sql`${userId}::uuid`)} as known`);
  return row?.known ?? null;
}
