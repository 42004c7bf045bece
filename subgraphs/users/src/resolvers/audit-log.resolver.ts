import { notFound, requireAdmin } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { UsersContext } from '../context';
import { User } from '../entities';
import { AuditEntry, AuditEntryConnection, AuditFilter } from '../types/audit-entry.types';

/** The combined audit log of every subgraph; read-only: the API has no way to change it. */
@Resolver(() => AuditEntry)
export class AuditLogResolver {
  @Query(() => AuditEntryConnection, { description: 'ADMIN only. Newest first.' })
  auditLog(
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | null | undefined,
    @Ctx() ctx: UsersContext,
  ): Promise<AuditEntryConnection> {
    requireAdmin(ctx);
    return ctx.services.auditLog.list(ctx.em, first, after, filter);
  }

  /** One query per page (the user loader); only ADMINs read the log, so the actor is visible. */
  @FieldResolver(() => User, { description: 'The ADMIN who acted.' })
  async actor(@Root() entry: AuditEntry, @Ctx() ctx: UsersContext): Promise<User> {
    const user = await ctx.loaders.user.load(entry.actorId);
    if (!user) throw notFound('User');
    return user;
  }
}
