import { requireCaller } from '@storegraph/common';
import { Arg, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { UsersContext } from '../context';
import { User } from '../entities';
import { AuthPayload } from '../types/auth-payload.type';
import { ChangePasswordArgs } from '../types/change-password.args';
import { UpdateProfileInput } from '../types/update-profile.input';

/** The signed-in user's own account. */
@Resolver()
export class AccountResolver {
  @Mutation(() => User, { description: 'Signed in.' })
  updateProfile(@Arg('input', () => UpdateProfileInput) input: UpdateProfileInput, @Ctx() ctx: UsersContext): Promise<User> {
    return ctx.services.account.updateProfile(ctx, requireCaller(ctx), input);
  }

  @Mutation(() => AuthPayload, {
    description:
      'Signed in. Wrong current password: UNAUTHENTICATED. Every login of the user is revoked, this one included; returns a fresh pair (a new login) for the caller.',
  })
  changePassword(@Args(() => ChangePasswordArgs) args: ChangePasswordArgs, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    return ctx.services.account.changePassword(ctx, requireCaller(ctx), args.currentPassword, args.newPassword);
  }

  @Mutation(() => Boolean, { description: 'Signed in. Revokes every login of the caller, this one included.' })
  async logoutEverywhere(@Ctx() ctx: UsersContext): Promise<boolean> {
    await ctx.services.account.logoutEverywhere(ctx, requireCaller(ctx));
    return true;
  }
}
