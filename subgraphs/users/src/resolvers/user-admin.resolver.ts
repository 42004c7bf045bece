import { forbidden, isOwnerOrAdmin, requireAdmin, type Role as RoleName } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { UsersContext } from '../context';
import { Role, User } from '../entities';
import { UserConnection, UserFilter } from '../types/user-admin.types';

/** An ADMIN's view of accounts: the list, roles, disabling. */
@Resolver(() => User)
export class UserAdminResolver {
  @Query(() => UserConnection, { description: 'ADMIN only. Newest first.' })
  async users(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Arg('filter', () => UserFilter, { nullable: true }) filter: UserFilter | null | undefined,
    @Ctx() ctx: UsersContext,
  ): Promise<UserConnection> {
    requireAdmin(ctx);
    const page = await ctx.services.userAdmin.list(ctx.em, first, after, filter);
    for (const { node } of page.edges) ctx.loaders.user.prime(node.id, node);
    return page;
  }

  @Mutation(() => User, { description: "ADMIN only. Revokes the user's logins." })
  setUserRole(
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => Role) role: RoleName,
    @Ctx() ctx: UsersContext,
  ): Promise<User> {
    return ctx.services.userAdmin.setRole(ctx, requireAdmin(ctx), userId, role);
  }

  @Mutation(() => User, { description: 'ADMIN only. Disabling revokes every login of the user (open subscriptions close).' })
  setUserDisabled(
    @Arg('userId', () => ID) userId: string,
    @Arg('disabled', () => Boolean) disabled: boolean,
    @Ctx() ctx: UsersContext,
  ): Promise<User> {
    return ctx.services.userAdmin.setDisabled(ctx, requireAdmin(ctx), userId, disabled);
  }

  /** The contract calls it an ADMIN view; the owner may see it too (it is always false for a signed-in owner). */
  @FieldResolver(() => Boolean, { description: 'ADMIN view. A disabled user cannot sign in; their tokens stop working.' })
  disabled(@Root() user: User, @Ctx() ctx: UsersContext): boolean {
    if (!isOwnerOrAdmin(ctx, user.id)) throw forbidden('Only an ADMIN sees whether an account is disabled');
    return user.disabled;
  }
}
