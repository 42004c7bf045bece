import { addressKey } from '@storegraph/common';
import { Arg, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { UsersContext } from '../context';
import { AuthPayload } from '../types/auth-payload.type';
import { LoginArgs } from '../types/login.args';
import { RegisterInput } from '../types/register.input';

/**
 * Open to anonymous callers: these are how one stops being anonymous (or starts again).
 * Each counts against its client address's rate limit first (login: every attempt, since
 * each hashes a password); login's limits on wrong passwords live in AuthService.
 */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload)
  async register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    await ctx.services.limits.consume('register', addressKey(ctx.clientIp));
    return ctx.services.auth.register(ctx, input);
  }

  @Mutation(() => AuthPayload)
  async login(@Args(() => LoginArgs) { email, password }: LoginArgs, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    await ctx.services.limits.consume('login', addressKey(ctx.clientIp));
    return ctx.services.auth.login(ctx, email, password);
  }

  @Mutation(() => AuthPayload, {
    description:
      'Rotates: returns a new pair; the refresh token passed in stops working. Reusing an already rotated token revokes every token of that login.',
  })
  async refreshToken(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    await ctx.services.limits.consume('refreshToken', addressKey(ctx.clientIp));
    return ctx.services.sessions.refresh(ctx, refreshToken);
  }

  @Mutation(() => Boolean, { description: 'Revokes the refresh token and the access token that made the call.' })
  async logout(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: UsersContext): Promise<boolean> {
    await ctx.services.sessions.logout(ctx, refreshToken);
    return true;
  }
}
