import type { MikroORM } from '@mikro-orm/postgresql';
import { waitFor } from '@storegraph/common/testing';

interface WithDatabase {
  database: { orm: MikroORM };
}

export interface ReplicaRow {
  version: number;
  address: Record<string, unknown> | null;
}

/** Orders' copy of a user's default address (user_default_addresses), or null when it has no row. */
export async function replicaRow(orders: WithDatabase, userId: string): Promise<ReplicaRow | null> {
  const [row] = await orders.database.orm.em
    .fork()
    .execute<ReplicaRow[]>('select version, address from user_default_addresses where user_id = ?', [userId]);
  return row ?? null;
}

/** The version of users' latest announcement of the user's default (users.default_address_version). */
export async function announcedVersion(users: WithDatabase, userId: string): Promise<number> {
  const [row] = await users.database.orm.em
    .fork()
    .execute<Array<{ v: number }>>('select default_address_version as v from users where id = ?', [userId]);
  return row.v;
}

/**
 * Waits until orders has applied users' latest announcement of the user's default
 * address: what a test that changes addresses and checks out at once must do, since
 * checkout reads orders' copy (docs/decisions.md, "How orders learns the shipping address").
 */
export async function defaultAddressReplicated(users: WithDatabase, orders: WithDatabase, userId: string): Promise<ReplicaRow> {
  const version = await announcedVersion(users, userId);
  return waitFor(
    async () => {
      const row = await replicaRow(orders, userId);
      return row !== null && row.version >= version ? row : undefined;
    },
    { what: `orders' copy of user ${userId}'s default address to reach version ${version}` },
  );
}
