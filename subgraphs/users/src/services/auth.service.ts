import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { conflict, unauthenticated, type RequestContext } from '@storegraph/common';
import { User } from '../entities';
import type { AuthPayload } from '../types/auth-payload.type';
import { announceNewAccount } from './default-address.announcer';
import type { EmailVerificationService } from './email-verification.service';
import type { LoginThrottleService } from './login-throttle.service';
import { hashPassword, spendPasswordCheck, verifyPassword } from './password.service';
import { accountDisabled, type SessionService } from './session.service';
import {
  EMAIL_MAX_LENGTH,
  normalizeEmail,
  PASSWORD_MAX_LENGTH,
  validateNewAccount,
  type NewAccount,
} from './user-input.validator';

// One message for unknown email and wrong password: the answer must not tell them apart.
const WRONG_CREDENTIALS = 'Wrong email or password';

/** Credentials: registering an account and signing in with email and password. */
export class AuthService {
  constructor(
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottleService,
    private readonly verification: EmailVerificationService,
  ) {}

  /**
   * Creates a CUSTOMER and signs them in; the unique index, not a lookup, decides
   * duplicates. The verification link's token commits with the account; the email goes
   * out after commit without being waited for, so a slow or absent SMTP server neither
   * fails nor slows registering. The account's "no default address yet" is announced in
   * the same transaction.
   */
  async register(ctx: RequestContext, input: NewAccount): Promise<AuthPayload> {
    const account = validateNewAccount(input);
    const passwordHash = await hashPassword(account.password);
    try {
      const { payload, token } = await ctx.em.transactional(async (tx) => {
        const user = tx.create(User, { email: account.email, name: account.name, role: 'CUSTOMER', passwordHash });
        // Orders' copy of the default address: none yet, so its checkouts need not ask.
        await announceNewAccount(tx, user.id);
        return { payload: await this.sessions.open(tx, user), token: this.verification.issue(tx, user) };
      });
      this.verification.sendLink(payload.user, token);
      return payload;
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw conflict('An account with this email already exists');
      }
      throw err;
    }
  }

  async login(ctx: RequestContext, rawEmail: string, password: string): Promise<AuthPayload> {
    const email = normalizeEmail(rawEmail);
    await this.throttle.assertAllowed(email, ctx.clientIp);
    const user = email.length <= EMAIL_MAX_LENGTH ? await ctx.em.findOne(User, { email }) : null;
    const valid =
      password.length <= PASSWORD_MAX_LENGTH &&
      (user ? await verifyPassword(password, user.passwordHash) : await spendPasswordCheck(password));
    if (!user || !valid) {
      await this.throttle.recordFailure(email, ctx.clientIp);
      throw unauthenticated(WRONG_CREDENTIALS);
    }
    await this.throttle.clear(email);
    // Told only after the right password, so it reveals nothing to a guesser.
    if (user.disabled) throw accountDisabled();
    return ctx.em.transactional((tx) => this.sessions.open(tx, user));
  }
}
