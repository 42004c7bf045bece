import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevKeys } from '../keys';

export interface GeneratedDevKeys {
  KEYS_DIR: string;
  privateKeyPem: string;
  publicKeyPem: string;
  gatewaySecret: string;
}

/**
 * A KEYS_DIR of its own with a freshly generated development key set, as `npm start`
 * leaves one: config tests show that production refuses these values. `gatewaySecret`
 * rewrites the file's secret, as in a file generated before secrets carried a prefix.
 */
export function generatedDevKeys(options: { gatewaySecret?: string } = {}): GeneratedDevKeys {
  const dir = mkdtempSync(join(tmpdir(), 'sg-dev-keys-'));
  const keys = loadOrCreateDevKeys(dir);
  if (options.gatewaySecret !== undefined) {
    const file = join(dir, 'dev-keys.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), gatewaySecret: options.gatewaySecret }));
    keys.gatewaySecret = options.gatewaySecret;
  }
  return { KEYS_DIR: dir, ...keys };
}
