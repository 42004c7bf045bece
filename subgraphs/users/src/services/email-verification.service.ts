import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated, type Caller, type RateLimits, type RequestContext } from '@storegraph/common';
import type { UsersRateRules } from '../config';
import { User } from '../entities';
import type { Mailer } from '../mail/mailer';
import { durationInWords, renderEmail } from '../mail/templates';
import type { EmailTokenService } from './email-token.service';

/**
 * Proving an email address: register sends the first link, the owner may ask for another,
 * and following one sets User.emailVerified. Unverified accounts can still shop; the flag
 * is there for the store to act on.
 */
export class EmailVerificationService {
  constructor(
    private readonly tokens: EmailTokenService,
    private readonly mailer: Mailer,
    private readonly limits: RateLimits<keyof UsersRateRules>,
    private readonly ttlSeconds: number,
  ) {}

  /** In the transaction that creates or finds `user`: a token for the link. */
  issue(tx: EntityManager, user: User): string {
    return this.tokens.issue(tx, user, 'email_verification', this.ttlSeconds);
  }

  /**
   * After commit: emails the link without waiting for the SMTP server. An email lost to
   * an SMTP outage is logged; the user asks for another with requestEmailVerification.
   */
  sendLink(user: Pick<User, 'email' | 'name'>, token: string): void {
    const link = `${this.mailer.storefrontUrl}/verify-email?token=${encodeURIComponent(token)}`;
    const { email, name } = user;
    this.mailer.sendLater('email verification', async () => ({
      to: email,
      links: [link],
      ...renderEmail('verify-email', { name, link, validFor: durationInWords(this.ttlSeconds) }),
    }));
  }

  /** true: a new link is on its way; false: the address is verified already (nothing sent, nothing counted). */
  async request(ctx: RequestContext, caller: Caller): Promise<boolean> {
    const user = await ctx.em.findOne(User, { id: caller.userId });
    if (!user) throw unauthenticated();
    if (user.emailVerified) return false;
    await this.limits.consume('emailVerificationPerUser', user.id);
    const token = await ctx.em.transactional(async (tx) => this.issue(tx, user));
    this.sendLink(user, token);
    return true;
  }

  async verify(ctx: RequestContext, token: string): Promise<User> {
    return ctx.em.transactional(async (tx) => {
      const userId = await this.tokens.consume(tx, token, 'email_verification');
      const user = await tx.findOneOrFail(User, { id: userId });
      user.emailVerified = true;
      return user;
    });
  }
}
