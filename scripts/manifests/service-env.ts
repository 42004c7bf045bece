/**
 * What a service reads from the environment a container gives it: its own config reader
 * runs on that environment through a proxy that records every name it looks at.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, EnvReader } from '@storegraph/common';
import { MIGRATED_SUBGRAPHS, readMigrationSettings } from '../migrate';
import type { Program } from './objects';

export interface ConfigReading {
  /** Every environment name the reader looked at. */
  read: Set<string>;
  /** The reader's verdict on the environment: null when it accepted it. */
  refused: string[] | null;
  port?: number;
  /** Development key material would be generated inside the pod (KEYS_DIR). */
  generatesKeys: boolean;
}

type Reader = (env: NodeJS.ProcessEnv) => { port?: number };

function serviceReader(program: Program, args: string[]): Reader {
  if (program === 'migrate') {
    const names = args.filter((a) => a !== '--wait');
    return (env) => {
      readMigrationSettings(new EnvReader(env), names.length > 0 ? names : MIGRATED_SUBGRAPHS);
      return {};
    };
  }
  const mod = require(`@storegraph/${program}`) as { readConfig: (env: unknown) => { port?: number } };
  // The gateway's readConfig takes the environment itself, the subgraphs' an EnvReader.
  return program === 'gateway' ? (env) => mod.readConfig(env) : (env) => mod.readConfig(new EnvReader(env));
}

/** Names read straight from process.env somewhere in the shared package (the logger's LOG_LEVEL). */
export function processEnvNames(rootDir: string): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]);
      }
    }
  };
  walk(join(rootDir, 'packages', 'common', 'src'));
  return names;
}

/** Runs a service's config reader on `env`, recording what it reads. */
export function readWith(program: Program, args: string[], env: Record<string, string>, extraRead: Set<string>): ConfigReading {
  const read = new Set<string>(extraRead);
  const keysDir = env.KEYS_DIR ? undefined : mkdtempSync(join(tmpdir(), 'sg-check-keys-'));
  const given = keysDir ? { ...env, KEYS_DIR: keysDir } : env;
  const recorder = new Proxy(given, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  let refused: string[] | null = null;
  let port: number | undefined;
  try {
    port = serviceReader(program, args)(recorder).port;
  } catch (err) {
    refused = err instanceof ConfigError ? err.problems : [err instanceof Error ? err.message : String(err)];
  }
  const generatesKeys = keysDir !== undefined && readdirSync(keysDir).length > 0;
  if (keysDir) rmSync(keysDir, { recursive: true, force: true });
  if (keysDir) read.delete('KEYS_DIR');
  return { read, refused, port, generatesKeys };
}

/** Stand-ins for secrets the production overlay expects from outside: valid, and never development ones. */
export function outsideSecrets(): Record<string, string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    DATABASE_URL: 'postgres://storegraph:secret@postgres-primary:5432',
    GATEWAY_SECRET: randomBytes(32).toString('hex'),
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    SMTP_URL: 'smtp://mail.example.com:587',
    ADMIN_PASSWORD: 'a-long-admin-password',
  };
}
