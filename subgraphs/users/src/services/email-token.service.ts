import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '@storegraph/common';
import { EmailToken, type EmailTokenPurpose, type User } from '../entities';
import { formatRefreshToken, hashSecret, newSecret, parseRefreshToken, secretMatches } from './refresh-token.codec';

// One answer for unknown, used and expired: which one it was helps only someone guessing.
const invalidToken = () => badInput('This link is invalid, already used or expired', 'token');

/**
 * The single-use tokens of emailed links (password reset, email verification). A token
 * is `<rowId>.<secret>` in the refresh-token format; only the secret's SHA-256 is stored.
 */
export class EmailTokenService {
  /** Adds a token for `user` in `tx`; returns the token to put in the link. */
  issue(tx: EntityManager, user: User, purpose: EmailTokenPurpose, ttlSeconds: number): string {
    const secret = newSecret();
    const row = tx.create(EmailToken, {
      user,
      purpose,
      secretHash: hashSecret(secret),
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    });
    return formatRefreshToken({ id: row.id, secret });
  }

  /**
   * The live token row `presented` names, or BAD_USER_INPUT. `lock` locks it for the
   * caller's transaction and rereads it (a copy loaded earlier may predate a concurrent use).
   */
  async find(em: EntityManager, presented: string, purpose: EmailTokenPurpose, lock = false): Promise<EmailToken> {
    const parts = parseRefreshToken(presented);
    if (!parts) throw invalidToken();
    const row = await em.findOne(EmailToken, { id: parts.id }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {});
    const live =
      row && row.purpose === purpose && secretMatches(parts.secret, row.secretHash) && !row.usedAt && row.expiresAt.getTime() > Date.now();
    if (!live) throw invalidToken();
    return row;
  }

  /**
   * In `tx`: locks and uses up the token (of two concurrent uses exactly one wins; the
   * other then finds it used). Returns the id of the user it was issued to.
   */
  async consume(tx: EntityManager, presented: string, purpose: EmailTokenPurpose): Promise<string> {
    const row = await this.find(tx, presented, purpose, true);
    row.usedAt = new Date();
    return row.user.id;
  }

  /** In `tx`: uses up every other live token of the user for `purpose` (one reset ends them all). */
  async useUpAll(tx: EntityManager, userId: string, purpose: EmailTokenPurpose): Promise<void> {
    await tx.nativeUpdate(EmailToken, { user: userId, purpose, usedAt: null }, { usedAt: new Date() });
  }
}
