import { createHmac, timingSafeEqual } from 'node:crypto';

export type Role = 'CUSTOMER' | 'ADMIN';

/** Who is calling, as established by the gateway from a verified access token. */
export interface Caller {
  userId: string;
  role: Role;
  /** jti of the access token: logout revokes exactly this token. */
  tokenId: string;
  /** Unix seconds when the access token expires. */
  tokenExpiresAt: number;
  /** The login (refresh-token family) the access token belongs to. */
  familyId: string;
}

/** What the gateway vouches for on every subgraph call. */
export interface RequestIdentity {
  caller: Caller | null;
  clientIp: string | null;
}

/**
 * The gateway -> subgraph identity header. Its value is `payload.signature`, an
 * HMAC-SHA256 over the payload with the secret only the gateway and subgraphs hold, and
 * it expires within seconds. A client can neither forge it nor replay a stale one, and a
 * subgraph called without it treats the caller as anonymous.
 */
export const IDENTITY_HEADER = 'x-storegraph-identity';
/** How long an assertion is good for unless its signer says otherwise (the gateway's IDENTITY_ASSERTION_TTL_SECONDS). */
export const DEFAULT_IDENTITY_LIFETIME_SECONDS = 60;

interface Assertion extends RequestIdentity {
  exp: number;
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function signIdentity(
  secret: string,
  identity: RequestIdentity,
  lifetimeSeconds = DEFAULT_IDENTITY_LIFETIME_SECONDS,
  now = Date.now(),
): string {
  const assertion: Assertion = { ...identity, exp: Math.floor(now / 1000) + lifetimeSeconds };
  const payload = Buffer.from(JSON.stringify(assertion)).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

/** Returns the vouched identity, or null when the header is missing, forged or expired. */
export function verifyIdentity(secret: string, header: string | undefined, now = Date.now()): RequestIdentity | null {
  if (!header) return null;
  const dot = header.indexOf('.');
  if (dot <= 0) return null;
  const payload = header.slice(0, dot);
  const given = Buffer.from(header.slice(dot + 1));
  const expected = Buffer.from(sign(secret, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const assertion = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Assertion;
    if (typeof assertion.exp !== 'number' || assertion.exp < Math.floor(now / 1000)) return null;
    return { caller: assertion.caller ?? null, clientIp: assertion.clientIp ?? null };
  } catch {
    return null;
  }
}
