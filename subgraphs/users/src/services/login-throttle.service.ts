import { addressKey, type RateLimits } from '@storegraph/common';

type LoginRules = 'loginFailuresPerEmail' | 'loginFailuresPerAddress';

/**
 * Failed logins, per email (guessing one account's password) and per client address
 * (spraying many accounts). Only failures count, so a user who types their password right
 * is never slowed down; the window opens with the first failure and later ones do not
 * extend it, so a locked-out user knows when to come back.
 */
export class LoginThrottleService {
  constructor(private readonly limits: RateLimits<LoginRules>) {}

  /** Throws RATE_LIMITED while either count is at its limit; checked before the password. */
  async assertAllowed(email: string, clientIp: string | null): Promise<void> {
    await this.limits.assertAllowed([
      ['loginFailuresPerEmail', email],
      ['loginFailuresPerAddress', addressKey(clientIp)],
    ]);
  }

  async recordFailure(email: string, clientIp: string | null): Promise<void> {
    await Promise.all([
      this.limits.count('loginFailuresPerEmail', email),
      this.limits.count('loginFailuresPerAddress', addressKey(clientIp)),
    ]);
  }

  /** A successful login forgives the account's failures (not the address's). */
  async clear(email: string): Promise<void> {
    await this.limits.forgive('loginFailuresPerEmail', email);
  }
}
