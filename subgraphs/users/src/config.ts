import { EnvReader, readKeyMaterial, readSubgraphConfig, type SubgraphConfig } from '@storegraph/common';
import { emailProblem, normalizeEmail, passwordProblem } from './services/user-input.validator';

/** Failed-login limits: counted in Redis per email and per client address within one window. */
export interface LoginLimits {
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/** The account that createApp ensures exists with role ADMIN (both settings set, or neither). */
export interface AdminAccount {
  email: string;
  password: string;
}

export interface UsersConfig extends SubgraphConfig {
  /** PKCS#8 PEM of the Ed25519 key that signs access tokens. */
  jwtPrivateKeyPem: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  login: LoginLimits;
  admin: AdminAccount | null;
  /** How often revocations Redis lacks are pushed again (and a Redis restarted empty refilled). */
  revocationSyncIntervalMs: number;
}

export function readConfig(env: EnvReader = new EnvReader()): UsersConfig {
  const base = readSubgraphConfig(env, 'users', 4001);
  const keys = readKeyMaterial(env, base.mode, { privateKey: true });
  const config: UsersConfig = {
    ...base,
    jwtPrivateKeyPem: keys.privateKeyPem ?? '',
    accessTokenTtlSeconds: env.int('ACCESS_TOKEN_TTL_SECONDS', 900, 1),
    refreshTokenTtlSeconds: env.int('REFRESH_TOKEN_TTL_SECONDS', 2_592_000, 1),
    login: {
      maxFailuresPerEmail: env.int('LOGIN_MAX_FAILURES', 5, 1),
      maxFailuresPerAddress: env.int('LOGIN_MAX_FAILURES_PER_ADDRESS', 50, 1),
      windowSeconds: env.int('LOGIN_WINDOW_SECONDS', 900, 1),
    },
    admin: readAdmin(env),
    revocationSyncIntervalMs: env.int('REVOCATION_SYNC_INTERVAL_MS', 1000, 50),
  };
  env.done();
  return config;
}

function readAdmin(env: EnvReader): AdminAccount | null {
  const email = env.optional('ADMIN_EMAIL');
  const password = env.optional('ADMIN_PASSWORD');
  if (!email && !password) return null;
  // One without the other is a half-done deploy; silently creating no admin would hide it.
  if (!email || !password) {
    env.problem('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
    return null;
  }
  const normalized = normalizeEmail(email);
  const problems = [emailProblem(normalized), passwordProblem(password)].filter((p): p is string => p !== null);
  for (const problem of problems) env.problem(`ADMIN_EMAIL/ADMIN_PASSWORD: ${problem}`);
  return problems.length > 0 ? null : { email: normalized, password };
}
