import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, isUuid, notFound, unauthenticated, validateAddress, type AddressFields } from '@storegraph/common';
import { Address, User } from '../entities';
import { announceDefaultAddress } from './default-address.announcer';

export interface AddressInputFields extends AddressFields {
  isDefault?: boolean | null;
}

/**
 * A user's addresses. Every change runs in one transaction that first locks the user's
 * row, so two concurrent changes of one user's addresses take turns: the count limit and
 * "the first address is the default" cannot be raced past, and moving the default (unset
 * the old, set the new) is one step. The partial unique index backs the one-default rule
 * in the database. A user with any address always has exactly one default: the first
 * becomes it, and removing the default promotes the newest remaining address, so a
 * checkout that wants "the default address" finds one whenever the user has any.
 * A change that moves, edits or removes the default announces the new default in its
 * transaction (users.default-address.changed: orders' copy for checkout); one that only
 * touches another address announces nothing.
 */
export class AddressService {
  constructor(private readonly maxPerUser: number) {}

  /** Default first, then newest first; one query for any number of users. */
  async listByUsers(em: EntityManager, userIds: readonly string[]): Promise<Address[][]> {
    const wanted = [...new Set(userIds)];
    const rows = wanted.length > 0
      ? await em.find(Address, { user: { $in: wanted } }, { orderBy: { isDefault: 'desc', createdAt: 'desc', id: 'desc' } })
      : [];
    const byUser = new Map<string, Address[]>();
    for (const row of rows) byUser.set(row.user.id, [...(byUser.get(row.user.id) ?? []), row]);
    return userIds.map((id) => byUser.get(id) ?? []);
  }

  async add(em: EntityManager, userId: string, input: AddressInputFields): Promise<Address> {
    const fields = validateAddress(input);
    return em.transactional(async (tx) => {
      await this.lockUser(tx, userId);
      const count = await tx.count(Address, { user: userId });
      if (count >= this.maxPerUser) throw conflict(`At most ${this.maxPerUser} addresses per account; remove one first`);
      const isDefault = input.isDefault === true || count === 0;
      if (isDefault) await this.clearDefault(tx, userId);
      const address = tx.create(Address, { ...fields, user: tx.getReference(User, userId), isDefault });
      await tx.flush();
      if (isDefault) await announceDefaultAddress(tx, userId);
      return address;
    });
  }

  /**
   * Replaces the fields of one of the user's own addresses. isDefault true makes it the
   * default; false or absent leaves the default where it is (a user with addresses keeps
   * one; to move it, make another address the default).
   */
  async update(em: EntityManager, userId: string, id: string, input: AddressInputFields): Promise<Address> {
    const fields = validateAddress(input);
    return em.transactional(async (tx) => {
      await this.lockUser(tx, userId);
      const address = await this.ownAddress(tx, userId, id);
      if (input.isDefault === true && !address.isDefault) {
        await this.clearDefault(tx, userId);
        address.isDefault = true;
      }
      tx.assign(address, fields);
      await tx.flush();
      if (address.isDefault) await announceDefaultAddress(tx, userId);
      return address;
    });
  }

  /** Removes one of the user's own addresses; a removed default passes to the newest remaining one. */
  async remove(em: EntityManager, userId: string, id: string): Promise<void> {
    await em.transactional(async (tx) => {
      await this.lockUser(tx, userId);
      const address = await this.ownAddress(tx, userId, id);
      const wasDefault = address.isDefault;
      tx.remove(address);
      await tx.flush();
      if (!wasDefault) return;
      const [newest] = await tx.find(Address, { user: userId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 1 });
      if (newest) {
        newest.isDefault = true;
        await tx.flush();
      }
      await announceDefaultAddress(tx, userId);
    });
  }

  private async lockUser(tx: EntityManager, userId: string): Promise<void> {
    const rows = await tx.execute<Array<{ id: string }>>('select id from users where id = ? for update', [userId]);
    // A valid token of an account that no longer exists.
    if (rows.length === 0) throw unauthenticated();
  }

  /** Another user's address answers like one that does not exist: NOT_FOUND, nothing learned. */
  private async ownAddress(tx: EntityManager, userId: string, id: string): Promise<Address> {
    const address = isUuid(id) ? await tx.findOne(Address, { id: id.toLowerCase(), user: userId }) : null;
    if (!address) throw notFound('Address');
    return address;
  }

  private async clearDefault(tx: EntityManager, userId: string): Promise<void> {
    await tx.nativeUpdate(Address, { user: userId, isDefault: true }, { isDefault: false });
  }
}
