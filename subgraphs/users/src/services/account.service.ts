import { badInput, unauthenticated, type Caller, type RequestContext } from '@storegraph/common';
import { User } from '../entities';
import type { AuthPayload } from '../types/auth-payload.type';
import type { LoginThrottleService } from './login-throttle.service';
import { hashPassword, verifyPassword } from './password.service';
import type { SessionService } from './session.service';
import { nameProblem, PASSWORD_MAX_LENGTH, passwordProblem } from './user-input.validator';

export interface ProfileChanges {
  name?: string | null;
}

/**
 * What a signed-in user changes about their own account: profile, password, and ending
 * their logins. Revoking goes through SessionService.endAllLogins, the one place logins
 * end with durable revocation entries.
 */
export class AccountService {
  constructor(private readonly sessions: SessionService, private readonly throttle: LoginThrottleService) {}

  /** Absent or null fields stay as they are; a given name is trimmed and must not be blank. */
  async updateProfile(ctx: RequestContext, caller: Caller, changes: ProfileChanges): Promise<User> {
    const user = await this.account(ctx, caller);
    if (changes.name !== undefined && changes.name !== null) {
      const name = changes.name.trim();
      const problem = nameProblem(name);
      if (problem) throw badInput(problem, 'name');
      user.name = name;
    }
    await ctx.em.flush();
    return user;
  }

  /**
   * Checks the current password (a wrong one counts as a failed login for the account's
   * throttle, so this cannot be used to guess passwords without limit), sets the new one,
   * ends EVERY login of the user, the calling one included, and opens a new login for the
   * caller, all in one transaction. The calling login ends too because a password change
   * is what a user does when they fear someone else holds their session: that someone may
   * hold this login's refresh token as well, and only a new login shuts them out.
   */
  async changePassword(ctx: RequestContext, caller: Caller, currentPassword: string, newPassword: string): Promise<AuthPayload> {
    const problem = passwordProblem(newPassword);
    if (problem) throw badInput(problem.replace(/^password/, 'newPassword'), 'newPassword');
    const user = await this.account(ctx, caller);
    await this.throttle.assertAllowed(user.email, ctx.clientIp);
    const valid = currentPassword.length <= PASSWORD_MAX_LENGTH && (await verifyPassword(currentPassword, user.passwordHash));
    if (!valid) {
      await this.throttle.recordFailure(user.email, ctx.clientIp);
      throw unauthenticated('Current password is wrong');
    }
    const passwordHash = await hashPassword(newPassword);
    const { payload, revoked } = await ctx.em.transactional(async (tx) => {
      const revoked = await this.sessions.endAllLogins(tx, user.id);
      const row = await tx.findOneOrFail(User, { id: user.id });
      row.passwordHash = passwordHash;
      return { payload: await this.sessions.open(tx, row), revoked };
    });
    await this.throttle.clear(user.email);
    // Committed: the new password holds; pushing makes the gateway refuse the old logins'
    // access tokens and close their sockets (the sync retries if Redis is away).
    await this.sessions.publish(revoked);
    return payload;
  }

  /** Ends every login of the caller, this one included: refresh tokens, access tokens, sockets. */
  async logoutEverywhere(ctx: RequestContext, caller: Caller): Promise<void> {
    const revoked = await ctx.em.transactional((tx) => this.sessions.endAllLogins(tx, caller.userId));
    await this.sessions.publish(revoked);
  }

  private async account(ctx: RequestContext, caller: Caller): Promise<User> {
    const user = await ctx.em.findOne(User, { id: caller.userId });
    // A valid token of an account that no longer exists.
    if (!user) throw unauthenticated();
    return user;
  }
}
