import { isUuid, requireAdmin } from '@storegraph/common';
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { UsersContext } from '../context';
import { User } from '../entities';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in user; null when anonymous.' })
  async me(@Ctx() ctx: UsersContext): Promise<User | null> {
    return ctx.caller ? ctx.loaders.user.load(ctx.caller.userId) : null;
  }

  @Query(() => User, { nullable: true, description: 'ADMIN only.' })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: UsersContext): Promise<User | null> {
    requireAdmin(ctx);
    return isUuid(id) ? ctx.loaders.user.load(id) : null;
  }
}
