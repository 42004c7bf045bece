import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  badInput,
  conflict,
  decodeCursor,
  isUuid,
  notFound,
  toPage,
  validateFirst,
  type Caller,
  type Page,
  type RequestContext,
  type Role,
} from '@storegraph/common';
import { User } from '../entities';
import { recordUserAudit } from './audit-log.service';
import type { SessionService } from './session.service';

export interface UserFilterData {
  search?: string | null;
  role?: Role | null;
}

const SEARCH_MAX_LENGTH = 200;

/** A change of the one account property an ADMIN may set. */
type AdminChange =
  | { field: 'role'; value: Role; action: 'user.role_changed' }
  | { field: 'disabled'; value: boolean; action: 'user.disabled' | 'user.enabled' };

/**
 * What an ADMIN does to accounts: list them, change a role, disable or enable one. A role
 * change and disabling end every login of the user (tokens carry the role; a disabled
 * user must lose their sessions), through the same durable revocations as a logout, and
 * each change records its audit entry in its own transaction.
 */
export class UserAdminService {
  constructor(private readonly sessions: SessionService) {}

  /** Newest first; search is a case-insensitive substring of email or name. */
  async list(em: EntityManager, first: number, after: string | null | undefined, filter: UserFilterData | null | undefined): Promise<Page<User>> {
    validateFirst(first);
    const { page, count } = userListStatements(filter, after != null ? decodeCursor(after) : null, first + 1);
    const [rows, [{ n }]] = await Promise.all([
      em.execute<Array<Record<string, unknown>>>(page.text, page.params),
      em.execute<Array<{ n: string }>>(count.text, count.params),
    ]);
    return toPage(
      rows.map((row) => em.map(User, row)),
      first,
      Number(n),
    );
  }

  setRole(ctx: RequestContext, admin: Caller, userId: string, role: Role): Promise<User> {
    return this.change(ctx, admin, userId, { field: 'role', value: role, action: 'user.role_changed' });
  }

  setDisabled(ctx: RequestContext, admin: Caller, userId: string, disabled: boolean): Promise<User> {
    return this.change(ctx, admin, userId, { field: 'disabled', value: disabled, action: disabled ? 'user.disabled' : 'user.enabled' });
  }

  /**
   * One transaction: lock every enabled ADMIN (in id order, so concurrent changes queue
   * rather than deadlock) and the target, refuse a change that would leave no enabled
   * ADMIN (CONFLICT), write it, end the user's logins when it takes something away, and
   * record the entry. Setting what already holds changes nothing and records nothing.
   * Revocations are pushed after commit, which closes the user's open sockets.
   */
  private async change(ctx: RequestContext, admin: Caller, userId: string, change: AdminChange): Promise<User> {
    if (!isUuid(userId)) throw notFound('User');
    const { user, revoked } = await ctx.em.transactional(async (tx) => {
      const admins = await tx.execute<Array<{ id: string }>>(
        "select id from users where role = 'ADMIN' and not disabled order by id for update",
      );
      const user = await tx.findOne(User, { id: userId.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!user) throw notFound('User');
      if (user[change.field] === change.value) return { user, revoked: [] };
      const before = { role: user.role, disabled: user.disabled };
      const after = { ...before, [change.field]: change.value };
      const wasActiveAdmin = before.role === 'ADMIN' && !before.disabled;
      const staysActiveAdmin = after.role === 'ADMIN' && !after.disabled;
      if (wasActiveAdmin && !staysActiveAdmin && admins.length <= 1) {
        throw conflict('The store must keep at least one enabled ADMIN: promote another user first');
      }
      // Written by the flush at commit.
      Object.assign(user, after);
      // A new role only reaches tokens signed after it; enabling takes nothing away.
      const revoked = change.action === 'user.enabled' ? [] : await this.sessions.endAllLogins(tx, user.id);
      await recordUserAudit(tx, {
        actorId: admin.userId,
        action: change.action,
        targetType: 'User',
        targetId: user.id,
        before: { [change.field]: before[change.field] },
        after: { [change.field]: change.value },
      });
      return { user, revoked };
    });
    await this.sessions.publish(revoked);
    return user;
  }
}

interface Statement {
  text: string;
  params: unknown[];
}

/**
 * The page and the count of Query.users (exported for the plan test, which explains these
 * very statements): keyset on id (newest first); search through the trigram indexes on
 * email and name, role through (role, id).
 */
export function userListStatements(
  filter: UserFilterData | null | undefined,
  afterId: string | null,
  limit: number,
): { page: Statement; count: Statement } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter?.search != null) {
    const search = filter.search.trim();
    if (search.length === 0 || search.length > SEARCH_MAX_LENGTH) {
      throw badInput(`filter.search must be 1 to ${SEARCH_MAX_LENGTH} characters`, 'filter.search');
    }
    // LIKE's wildcards in the search are searched for as characters.
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push('(email ilike ? or name ilike ?)');
    params.push(pattern, pattern);
  }
  if (filter?.role != null) {
    where.push('role = ?');
    params.push(filter.role);
  }
  const filtered = where.length > 0 ? `where ${where.join(' and ')}` : '';
  const paged = afterId ? `${filtered ? `${filtered} and` : 'where'} id < ?` : filtered;
  return {
    page: { text: `select * from users ${paged} order by id desc limit ?`, params: [...params, ...(afterId ? [afterId] : []), limit] },
    count: { text: `select count(*) as n from users ${filtered}`, params },
  };
}
