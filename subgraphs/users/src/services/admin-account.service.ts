import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from '@storegraph/common';
import type { AdminAccount } from '../config';
import { RefreshToken } from '../entities';
import { hashPassword, verifyPassword } from './password.service';

export type AdminOutcome = 'created' | 'updated' | 'unchanged';

interface ExistingRow {
  role: string;
  password_hash: string;
  disabled: boolean;
}

/**
 * Makes sure the configured ADMIN account exists, at every start.
 *
 * When the email already belongs to an account, that account is made ADMIN and its
 * password set to the configured one: the operator's environment is the source of truth
 * for this address, and restarting with a new ADMIN_PASSWORD is how a lost one is
 * recovered. Because whoever held the account before (perhaps someone who registered
 * the address first) must not keep a session that now refreshes into ADMIN tokens, a
 * changed account loses its refresh tokens. A disabled account named there is enabled again:
 * the environment is also the way back in for a store locked out of its ADMIN.
 *
 * Safe when several instances start at once: the insert is an upsert on the email's
 * unique index, and every instance writes the same role and an equally valid hash.
 */
export async function ensureAdminAccount(em: EntityManager, admin: AdminAccount): Promise<AdminOutcome> {
  const [existing] = await em.execute<ExistingRow[]>('select role, password_hash, disabled from users where email = ?', [admin.email]);
  // Skipping the write when nothing changed keeps restarts from signing the admin out.
  if (existing?.role === 'ADMIN' && !existing.disabled && (await verifyPassword(admin.password, existing.password_hash))) return 'unchanged';
  const passwordHash = await hashPassword(admin.password);
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<Array<{ id: string; inserted: boolean }>>(
      `insert into users (id, email, name, role, password_hash, created_at)
       values (?, ?, 'Administrator', 'ADMIN', ?, now())
       on conflict (email) do update set role = 'ADMIN', password_hash = excluded.password_hash, disabled = false
       returning id, (xmax = 0) as inserted`,
      [uuidv7(), admin.email, passwordHash],
    );
    if (row.inserted) return 'created';
    await tx.nativeUpdate(RefreshToken, { user: row.id, revokedAt: null }, { revokedAt: new Date() });
    return 'updated';
  });
}
