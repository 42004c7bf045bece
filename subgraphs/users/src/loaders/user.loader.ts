import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@storegraph/common';
import type { User } from '../entities';
import type { UserService } from '../services/user.service';

/**
 * Users by id, one query per batch; who may see them is decided by the caller. Keys are
 * compared lowercased, as PostgreSQL compares uuids.
 */
export function createUserLoader(em: EntityManager, users: UserService): DataLoader<string, User | null> {
  return new DataLoader(async (ids) => {
    const found = await users.findByIds(em, ids.filter(isUuid).map((id) => id.toLowerCase()));
    const byId = new Map(found.filter((user): user is User => user !== null).map((user) => [user.id, user]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}
