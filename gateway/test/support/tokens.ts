import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT, type KeyLike } from 'jose';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, type Role } from '@storegraph/common';

/**
 * The key set of these tests: generated once per test process, never the development set
 * in .keys, which production mode refuses (the gateway here runs in both modes).
 */
let keySet: { privateKeyPem: string; publicKeyPem: string; gatewaySecret: string } | null = null;

export function testKeys(): { privateKeyPem: string; publicKeyPem: string; gatewaySecret: string } {
  if (!keySet) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    keySet = {
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      gatewaySecret: randomBytes(32).toString('base64url'),
    };
  }
  return keySet;
}

export interface TokenOptions {
  role?: Role;
  jti?: string;
  fam?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative makes an expired token. */
  expiresIn?: number;
  key?: KeyLike;
}

/** Signs an access token like users does, with each claim open to tampering for tests. */
export async function signToken(userId: string, options: TokenOptions = {}): Promise<{ token: string; jti: string; fam: string }> {
  const now = Math.floor(Date.now() / 1000);
  const jti = options.jti ?? randomUUID();
  const fam = options.fam ?? randomUUID();
  const key = options.key ?? (await importPKCS8(testKeys().privateKeyPem, JWT_ALGORITHM));
  const token = await new SignJWT({ role: options.role ?? 'CUSTOMER', fam })
    .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
    .setSubject(userId)
    .setJti(jti)
    .setIssuer(options.issuer ?? JWT_ISSUER)
    .setAudience(options.audience ?? JWT_AUDIENCE)
    .setIssuedAt(now - 120)
    .setExpirationTime(now + (options.expiresIn ?? 300))
    .sign(key);
  return { token, jti, fam };
}

/** A key pair nobody trusts: tokens signed with it must be refused. */
export async function foreignKey(): Promise<KeyLike> {
  const { privateKey } = generateKeyPairSync('ed25519');
  return importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), JWT_ALGORITHM);
}
