import type { EntityManager } from '@mikro-orm/postgresql';
import { addressKey, badInput, type RateLimits, type RequestContext } from '@storegraph/common';
import type { UsersRateRules } from '../config';
import { User } from '../entities';
import type { Mailer } from '../mail/mailer';
import { durationInWords, renderEmail } from '../mail/templates';
import type { AuthPayload } from '../types/auth-payload.type';
import type { EmailTokenService } from './email-token.service';
import type { LoginThrottleService } from './login-throttle.service';
import { hashPassword } from './password.service';
import type { SessionService } from './session.service';
import { emailProblem, normalizeEmail, passwordProblem } from './user-input.validator';

/** A forgotten password: an emailed single-use link, then a new password and only new logins. */
export class PasswordResetService {
  constructor(
    private readonly rootEm: EntityManager,
    private readonly tokens: EmailTokenService,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottleService,
    private readonly limits: RateLimits<keyof UsersRateRules>,
    private readonly mailer: Mailer,
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Counts the request, then answers without looking the account up: the lookup, the
   * token and the email happen after the answer (Mailer.sendLater), so the answer and its
   * timing are the same whether or not the address has an account. The per-email limit
   * counts unknown addresses too, for the same reason.
   */
  async request(ctx: RequestContext, rawEmail: string): Promise<void> {
    const email = normalizeEmail(rawEmail);
    const problem = emailProblem(email);
    if (problem) throw badInput(problem, 'email');
    await this.limits.consume('passwordResetPerAddress', addressKey(ctx.clientIp));
    await this.limits.consume('passwordResetPerEmail', email);
    this.mailer.sendLater('password reset', async () => {
      const em = this.rootEm.fork();
      const user = await em.findOne(User, { email });
      if (!user) return null;
      const token = await em.transactional(async (tx) => this.tokens.issue(tx, user, 'password_reset', this.ttlSeconds));
      const link = `${this.mailer.storefrontUrl}/reset-password?token=${encodeURIComponent(token)}`;
      return {
        to: user.email,
        links: [link],
        ...renderEmail('password-reset', { name: user.name, link, validFor: durationInWords(this.ttlSeconds) }),
      };
    });
  }

  /**
   * Sets the password, uses up every reset link of the user, ends every login (durably,
   * like changePassword) and opens a new one, in one transaction. Following the link
   * proves the mailbox, so the address counts as verified too; the account's failed
   * logins are forgiven.
   */
  async reset(ctx: RequestContext, token: string, newPassword: string): Promise<AuthPayload> {
    const problem = passwordProblem(newPassword);
    if (problem) throw badInput(problem.replace(/^password/, 'newPassword'), 'newPassword');
    // Checked before the (deliberately slow) hash, so a bad token costs no scrypt; checked
    // again under the lock below, where it counts.
    await this.tokens.find(ctx.em, token, 'password_reset');
    const passwordHash = await hashPassword(newPassword);
    const { payload, revoked } = await ctx.em.transactional(async (tx) => {
      const userId = await this.tokens.consume(tx, token, 'password_reset');
      await this.tokens.useUpAll(tx, userId, 'password_reset');
      const revoked = await this.sessions.endAllLogins(tx, userId);
      const user = await tx.findOneOrFail(User, { id: userId });
      user.passwordHash = passwordHash;
      user.emailVerified = true;
      return { payload: await this.sessions.open(tx, user), revoked };
    });
    await this.throttle.clear(payload.user.email);
    // Committed: pushing makes the gateway refuse the old logins' access tokens and close their sockets.
    await this.sessions.publish(revoked);
    return payload;
  }
}
