import {
  EnvReader,
  readKeyMaterial,
  readRateRules,
  readSubgraphConfig,
  type RateRule,
  type SubgraphConfig,
} from '@storegraph/common';
import { emailProblem, normalizeEmail, passwordProblem } from './services/user-input.validator';

/** The rate limits users enforces (see RATE_RULES in common for their settings). */
export const USERS_RATE_RULES = [
  'register',
  'login',
  'refreshToken',
  'loginFailuresPerEmail',
  'loginFailuresPerAddress',
  'passwordResetPerEmail',
  'passwordResetPerAddress',
  'emailVerificationPerUser',
] as const;
export type UsersRateRules = Record<(typeof USERS_RATE_RULES)[number], RateRule>;

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
  rateLimits: UsersRateRules;
  admin: AdminAccount | null;
  /** How often revocations Redis lacks are pushed again (and a Redis restarted empty refilled). */
  revocationSyncIntervalMs: number;
  /** Addresses one account may keep. */
  maxAddressesPerUser: number;
  mail: MailConfig;
  /** How long an emailed password-reset link works. */
  passwordResetTtlSeconds: number;
  /** How long an emailed verification link works. */
  emailVerificationTtlSeconds: number;
  orderEmails: OrderEmailConfig;
}

/** The emails the saga's order events owe the shopper, and how hard to try sending them. */
export interface OrderEmailConfig {
  /** Where the sender asks for an order's lines, product names and payment (batched `_entities` calls). */
  ordersUrl: string;
  catalogUrl: string;
  paymentsUrl: string;
  /** How long each of those calls may take. */
  lookupTimeoutMs: number;
  /** How often the sender looks for emails that are due. */
  sendIntervalMs: number;
  /** Attempts (SMTP or lookups failing) before an email is PARKED for an operator. */
  maxAttempts: number;
  /** Wait after the first failed attempt; doubles after each, up to maxRetryMs. */
  minRetryMs: number;
  maxRetryMs: number;
}

export interface MailConfig {
  /** `smtp://host:port` (or smtps://, with credentials if any); null: write emails to `folder`. */
  smtpUrl: string | null;
  from: string;
  /** Base of the links in emails, without a trailing slash. */
  storefrontUrl: string;
  /** Where emails go in development when SMTP_URL is unset. */
  folder: string;
  /** Connect, greeting and socket timeout of the SMTP client. */
  smtpTimeoutMs: number;
}

export function readConfig(env: EnvReader = new EnvReader()): UsersConfig {
  const base = readSubgraphConfig(env, 'users', 4001);
  const keys = readKeyMaterial(env, base.mode, { privateKey: true });
  const config: UsersConfig = {
    ...base,
    jwtPrivateKeyPem: keys.privateKeyPem ?? '',
    accessTokenTtlSeconds: env.int('ACCESS_TOKEN_TTL_SECONDS', 900, 1),
    refreshTokenTtlSeconds: env.int('REFRESH_TOKEN_TTL_SECONDS', 2_592_000, 1),
    rateLimits: readRateRules(env, USERS_RATE_RULES),
    admin: readAdmin(env),
    revocationSyncIntervalMs: env.int('REVOCATION_SYNC_INTERVAL_MS', 1000, 50),
    maxAddressesPerUser: env.int('MAX_ADDRESSES_PER_USER', 20, 1),
    mail: readMail(env, base.mode),
    passwordResetTtlSeconds: env.int('PASSWORD_RESET_TTL_SECONDS', 3600, 60),
    emailVerificationTtlSeconds: env.int('EMAIL_VERIFICATION_TTL_SECONDS', 86_400, 60),
    orderEmails: readOrderEmails(env),
  };
  env.done();
  return config;
}

function readMail(env: EnvReader, mode: SubgraphConfig['mode']): MailConfig {
  const smtpUrl = env.optional('SMTP_URL') ?? null;
  // A production store that silently writes its reset emails to a local folder has no
  // working password reset: refuse to start instead.
  if (!smtpUrl && mode === 'production') env.problem('SMTP_URL is required in production');
  if (smtpUrl && !/^smtps?:\/\/[^/\s]+/.test(smtpUrl)) env.problem('SMTP_URL must look like smtp://host:port');
  const storefrontUrl = env.string('STOREFRONT_URL', 'http://localhost:5173').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(storefrontUrl)) env.problem('STOREFRONT_URL must be an http(s) URL');
  return {
    smtpUrl,
    from: env.string('MAIL_FROM', 'Storegraph <no-reply@storegraph.localhost>'),
    storefrontUrl,
    folder: env.string('MAIL_FOLDER', '.mail'),
    smtpTimeoutMs: env.int('SMTP_TIMEOUT_MS', 10_000, 100),
  };
}

function readOrderEmails(env: EnvReader): OrderEmailConfig {
  const url = (name: string, port: number): string => {
    const value = env.string(name, `http://localhost:${port}/graphql`);
    if (!/^https?:\/\/\S+$/.test(value)) env.problem(`${name} must be an http(s) URL (got "${value}")`);
    return value;
  };
  const config: OrderEmailConfig = {
    catalogUrl: url('CATALOG_URL', 4002),
    ordersUrl: url('ORDERS_URL', 4003),
    paymentsUrl: url('PAYMENTS_URL', 4004),
    lookupTimeoutMs: env.int('ORDER_EMAIL_LOOKUP_TIMEOUT_MS', 5000, 100),
    sendIntervalMs: env.int('EMAIL_SEND_INTERVAL_MS', 500, 10),
    maxAttempts: env.int('EMAIL_RETRY_MAX_ATTEMPTS', 12, 1),
    minRetryMs: env.int('EMAIL_RETRY_MIN_MS', 2000, 1),
    maxRetryMs: env.int('EMAIL_RETRY_MAX_MS', 600_000, 1),
  };
  if (config.maxRetryMs < config.minRetryMs) env.problem('EMAIL_RETRY_MAX_MS must be at least EMAIL_RETRY_MIN_MS');
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
