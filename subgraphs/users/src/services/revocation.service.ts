import type { Redis } from 'ioredis';
import { revocationKeys } from '@storegraph/common';

/**
 * Writes the revocation list the gateway reads before it trusts an access token. Entries
 * only need to outlive the tokens they kill, so each expires with them.
 */
export class RevocationService {
  constructor(private readonly redis: Redis, private readonly accessTokenTtlSeconds: number) {}

  /** Kills every access token issued under a login (refresh-token family). */
  async revokeFamily(familyId: string): Promise<void> {
    await this.redis.set(revocationKeys.family(familyId), '1', 'EX', this.accessTokenTtlSeconds);
  }

  /** Kills one access token until it would have expired anyway. */
  async revokeAccessToken(tokenId: string, expiresAtUnixSeconds: number): Promise<void> {
    const remaining = Math.max(1, Math.ceil(expiresAtUnixSeconds - Date.now() / 1000));
    await this.redis.set(revocationKeys.token(tokenId), '1', 'EX', remaining);
  }
}
