import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isUuid } from '@storegraph/common';

/**
 * A refresh token is `<rowId>.<secret>`: the id finds the row with one indexed lookup,
 * the 256-bit secret proves possession. Only the secret's SHA-256 is stored; a slow KDF
 * is not needed for a random secret of that size.
 */
export interface RefreshTokenParts {
  id: string;
  secret: string;
}

const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function formatRefreshToken(parts: RefreshTokenParts): string {
  return `${parts.id}.${parts.secret}`;
}

/** null for anything this service cannot have issued. */
export function parseRefreshToken(token: string): RefreshTokenParts | null {
  const dot = token.indexOf('.');
  if (dot < 0) return null;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  return isUuid(id) && SECRET.test(secret) ? { id: id.toLowerCase(), secret } : null;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
