import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, linkSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EnvReader, Mode } from './config';

/**
 * Secrets shared by the services. In production they must come from the environment
 * (JWT_PRIVATE_KEY for users, JWT_PUBLIC_KEY for the gateway, GATEWAY_SECRET for all);
 * the services refuse to start without them. In development a set is generated once
 * into KEYS_DIR (default `.keys`, git-ignored) and every service reads the same set.
 */
export interface KeyMaterial {
  /** PKCS#8 PEM of the Ed25519 signing key (only users needs it). */
  privateKeyPem: string | undefined;
  /** SPKI PEM of the Ed25519 verification key. */
  publicKeyPem: string;
  /** HMAC secret for the gateway -> subgraph identity header. */
  gatewaySecret: string;
}

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

/** Several services start at once: the first to link the file wins, the others read it. */
export function loadOrCreateDevKeys(dir: string): DevKeyFile {
  const folder = resolve(dir);
  const file = join(folder, 'dev-keys.json');
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
    gatewaySecret: randomBytes(32).toString('base64url'),
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
