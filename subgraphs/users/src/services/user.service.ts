import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../entities';

/** Reading accounts. Who may see which account is the resolvers' call, not this one's. */
export class UserService {
  /** One query for any number of ids; the result lines up with `ids`, null where unknown. */
  async findByIds(em: EntityManager, ids: readonly string[]): Promise<Array<User | null>> {
    const wanted = [...new Set(ids)];
    const rows = wanted.length > 0 ? await em.find(User, { id: { $in: wanted } }) : [];
    const byId = new Map(rows.map((user) => [user.id, user]));
    return ids.map((id) => byId.get(id) ?? null);
  }
}
