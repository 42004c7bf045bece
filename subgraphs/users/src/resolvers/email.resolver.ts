import { forbidden, isOwnerOrAdmin, requireCaller } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { UsersContext } from '../context';
import { User } from '../entities';
import { AuthPayload } from '../types/auth-payload.type';

/** What emailed links do: reset a forgotten password, prove an email address. */
@Resolver(() => User)
export class EmailResolver {
  @FieldResolver(() => Boolean, { description: 'Owner or ADMIN.' })
  emailVerified(@Root() user: User, @Ctx() ctx: UsersContext): boolean {
    if (!isOwnerOrAdmin(ctx, user.id) && !ctx.provenUsers.has(user.id)) throw forbidden('Only the owner or an ADMIN sees whether the email is verified');
    return user.emailVerified;
  }

  @Mutation(() => Boolean, {
    description: 'Anyone. Always true (whether or not the email has an account); sends the reset email when it does. Rate limited.',
  })
  async requestPasswordReset(@Arg('email', () => String) email: string, @Ctx() ctx: UsersContext): Promise<boolean> {
    await ctx.services.passwordReset.request(ctx, email);
    return true;
  }

  @Mutation(() => AuthPayload, {
    description: 'Anyone. Bad, used or expired token: BAD_USER_INPUT. Revokes every login of the user; returns a new one.',
  })
  async resetPassword(
    @Arg('token', () => String) token: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: UsersContext,
  ): Promise<AuthPayload> {
    const payload = await ctx.services.passwordReset.reset(ctx, token, newPassword);
    ctx.provenUsers.add(payload.user.id);
    return payload;
  }

  @Mutation(() => Boolean, {
    description:
      'Signed in. Sends the verification email again (rate limited). register sends the first one. false: the address is verified already (nothing is sent).',
  })
  requestEmailVerification(@Ctx() ctx: UsersContext): Promise<boolean> {
    return ctx.services.emailVerification.request(ctx, requireCaller(ctx));
  }

  @Mutation(() => User, { description: 'Anyone holding the emailed token. Bad, used or expired token: BAD_USER_INPUT.' })
  async verifyEmail(@Arg('token', () => String) token: string, @Ctx() ctx: UsersContext): Promise<User> {
    const user = await ctx.services.emailVerification.verify(ctx, token);
    ctx.provenUsers.add(user.id);
    return user;
  }
}
