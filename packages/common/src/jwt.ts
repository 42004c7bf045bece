import { importPKCS8, importSPKI, jwtVerify, SignJWT, type KeyLike } from 'jose';
import type { Role } from './identity';

/** The access-token contract between users (signer) and gateway (verifier). */
export const JWT_ALGORITHM = 'EdDSA';
export const JWT_ISSUER = 'storegraph-users';
export const JWT_AUDIENCE = 'storegraph';
/** Tolerated clock skew when checking exp/iat. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 5;

export interface AccessTokenClaims {
  sub: string;
  role: Role;
  /** refresh-token family: the login this token was issued under */
  fam: string;
  jti: string;
  exp: number;
}

export class AccessTokenSigner {
  private constructor(private readonly key: KeyLike, private readonly ttlSeconds: number) {}

  static async fromPem(privateKeyPem: string, ttlSeconds: number): Promise<AccessTokenSigner> {
    return new AccessTokenSigner(await importPKCS8(privateKeyPem, JWT_ALGORITHM), ttlSeconds);
  }

  get expiresIn(): number {
    return this.ttlSeconds;
  }

  async sign(claims: Omit<AccessTokenClaims, 'exp'>): Promise<{ token: string; exp: number }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({ role: claims.role, fam: claims.fam })
      .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, exp };
  }
}

/** Verified tokens remembered at most; the oldest is forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000;

export class AccessTokenVerifier {
  /**
   * Claims of tokens whose signature already checked out, by token: a client sends the
   * same token with every request for its whole life, and the signature check is the
   * gateway's costliest step per request. Only good tokens are kept (a bad one is checked
   * again every time), and the expiry is checked on every use. Revocation is not cached:
   * the gateway asks Redis on every request.
   */
  private readonly verified = new Map<string, AccessTokenClaims>();

  private constructor(private readonly key: KeyLike) {}

  static async fromPem(publicKeyPem: string): Promise<AccessTokenVerifier> {
    return new AccessTokenVerifier(await importSPKI(publicKeyPem, JWT_ALGORITHM));
  }

  /** Throws (any jose error) unless signature, algorithm, issuer, audience and expiry hold. */
  async verify(token: string): Promise<AccessTokenClaims> {
    const known = this.verified.get(token);
    if (known && known.exp + JWT_CLOCK_TOLERANCE_SECONDS > Date.now() / 1000) return known;
    this.verified.delete(token);
    const claims = await this.check(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }

  private async check(token: string): Promise<AccessTokenClaims> {
    const { payload } = await jwtVerify(token, this.key, {
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'jti', 'exp', 'iat'],
    });
    const role = payload.role;
    if ((role !== 'CUSTOMER' && role !== 'ADMIN') || typeof payload.fam !== 'string') {
      throw new Error('access token lacks role or family');
    }
    return { sub: payload.sub!, role, fam: payload.fam, jti: payload.jti!, exp: payload.exp! };
  }
}

/** Redis keys for revocation, written by users and read by the gateway. */
export const revocationKeys = {
  token: (jti: string) => `revoked:jti:${jti}`,
  family: (familyId: string) => `revoked:fam:${familyId}`,
  /**
   * Set by users once Redis holds every revocation still in force (after a full push from
   * its database). Redis may restart empty; without this key the gateway cannot tell "not
   * revoked" from "forgotten", so it treats the list as unreadable and fails closed.
   */
  complete: () => 'revoked:complete',
};
