import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, linkSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EnvReader, Mode } from './config';

/**
 * Secrets shared by the services. In production they must come from the environment
 * (JWT_PRIVATE_KEY for users, JWT_PUBLIC_KEY for the gateway, GATEWAY_SECRET for all);
 * the services refuse to start without them, and refuse the generated development set
 * (see refuseDevelopmentKeys). In development a set is generated once into KEYS_DIR
 * (default `.keys`, git-ignored) and every service reads the same set.
 */
export interface KeyMaterial {
  /** PKCS#8 PEM of the Ed25519 signing key (only users needs it). */
  privateKeyPem: string | undefined;
  /** SPKI PEM of the Ed25519 verification key. */
  publicKeyPem: string;
  /** HMAC secret for the gateway -> subgraph identity header. */
  gatewaySecret: string;
}

/**
 * Starts every gateway secret generated for development, so production recognizes one
 * wherever it was copied to, even without the dev key file beside it.
 */
export const DEV_SECRET_PREFIX = 'dev-only-';

const DEV_KEY_FILE = 'dev-keys.json';

interface DevKeyFile {
  privateKeyPem: string;
  publicKeyPem: string;
  gatewaySecret: string;
}

function pemFromEnv(value: string): string {
  // Allow PEMs passed with literal "\n" (common in .env files and CI secrets).
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
}

/** `needs` names the keys this service uses; production requires exactly those (and the secret). */
export function readKeyMaterial(
  env: EnvReader,
  mode: Mode,
  needs: { privateKey?: boolean; publicKey?: boolean },
): KeyMaterial {
  const privateKey = env.optional('JWT_PRIVATE_KEY');
  const publicKey = env.optional('JWT_PUBLIC_KEY');
  const secret = env.optional('GATEWAY_SECRET');
  if (mode === 'production') {
    if (needs.privateKey && !privateKey) env.problem('JWT_PRIVATE_KEY is required in production (Ed25519 PKCS#8 PEM)');
    if (needs.publicKey && !publicKey) env.problem('JWT_PUBLIC_KEY is required in production (Ed25519 SPKI PEM)');
    if (!secret || secret.length < 32) env.problem('GATEWAY_SECRET is required in production (at least 32 characters)');
    refuseDevelopmentKeys(env, { privateKey, publicKey, secret });
    return {
      privateKeyPem: privateKey && pemFromEnv(privateKey),
      publicKeyPem: publicKey ? pemFromEnv(publicKey) : '',
      gatewaySecret: secret ?? '',
    };
  }
  const dev = privateKey && publicKey && secret ? null : loadOrCreateDevKeys(env.string('KEYS_DIR', '.keys'));
  return {
    privateKeyPem: privateKey ? pemFromEnv(privateKey) : dev?.privateKeyPem,
    publicKeyPem: publicKey ? pemFromEnv(publicKey) : (dev?.publicKeyPem ?? ''),
    gatewaySecret: secret ?? dev?.gatewaySecret ?? '',
  };
}

/**
 * Key material generated for development is refused in production, recognized two ways:
 * a GATEWAY_SECRET that starts with DEV_SECRET_PREFIX (every generated one does), and any
 * value equal to the dev key file in KEYS_DIR when that file exists (it also catches the
 * files generated before the prefix, and PEMs, which cannot carry a marker). Keys are
 * compared by their public half, so a PEM re-wrapped or with escaped newlines still matches.
 * Production only reads the file; it never generates one.
 */
function refuseDevelopmentKeys(
  env: EnvReader,
  given: { privateKey: string | undefined; publicKey: string | undefined; secret: string | undefined },
): void {
  const refuse = (name: string) =>
    env.problem(`${name} is the key material generated for development (KEYS_DIR/${DEV_KEY_FILE}); production needs its own`);
  if (given.secret?.startsWith(DEV_SECRET_PREFIX)) refuse('GATEWAY_SECRET');
  const dev = readDevKeys(env.string('KEYS_DIR', '.keys'));
  if (!dev) return;
  if (given.secret !== undefined && given.secret === dev.gatewaySecret) refuse('GATEWAY_SECRET');
  const devKey = keyIdentity(dev.publicKeyPem);
  if (given.publicKey && keyIdentity(pemFromEnv(given.publicKey)) === devKey) refuse('JWT_PUBLIC_KEY');
  if (given.privateKey && keyIdentity(pemFromEnv(given.privateKey)) === devKey) refuse('JWT_PRIVATE_KEY');
}

/** The dev key file in `dir`, or null when there is none (or it is unreadable). */
function readDevKeys(dir: string): DevKeyFile | null {
  try {
    return JSON.parse(readFileSync(join(resolve(dir), DEV_KEY_FILE), 'utf8')) as DevKeyFile;
  } catch {
    return null;
  }
}

/** A key pair's public half as DER (the same for its private and public PEM); the text itself when it does not parse. */
function keyIdentity(pem: string): string {
  try {
    return createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
  } catch {
    return pem.trim();
  }
}

/** Several services start at once: the first to link the file wins, the others read it. */
export function loadOrCreateDevKeys(dir: string): DevKeyFile {
  const folder = resolve(dir);
  const file = join(folder, DEV_KEY_FILE);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DevKeyFile;
  } catch {
    // not there yet: create below
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keys: DevKeyFile = {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    gatewaySecret: `${DEV_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`,
  };
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, JSON.stringify(keys, null, 2), { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch {
    // another process linked first; use theirs
  } finally {
    unlinkSync(temp);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as DevKeyFile;
}
