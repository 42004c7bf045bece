import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, EnvReader } from '@storegraph/common';
import { generatedDevKeys } from '@storegraph/common/testing';
import { readConfig } from '../../src/config';

const keys = generateKeyPairSync('ed25519');
const production = {
  APP_MODE: 'production',
  GATEWAY_SECRET: 'g'.repeat(40),
  JWT_PRIVATE_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  JWT_PUBLIC_KEY: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  SMTP_URL: 'smtp://mail.internal:25',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    readConfig(new EnvReader(env));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('readConfig', () => {
  it('reads a complete production environment with the documented defaults', () => {
    const config = readConfig(new EnvReader(production));
    expect(config).toMatchObject({
      mode: 'production',
      port: 4001,
      jwtPrivateKeyPem: production.JWT_PRIVATE_KEY,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      rateLimits: {
        register: { points: 20, windowSeconds: 3600 },
        login: { points: 30, windowSeconds: 60 },
        refreshToken: { points: 60, windowSeconds: 60 },
        loginFailuresPerEmail: { points: 5, windowSeconds: 900 },
        loginFailuresPerAddress: { points: 50, windowSeconds: 900 },
      },
      admin: null,
    });
  });

  it('refuses to start in production without JWT_PRIVATE_KEY', () => {
    const { JWT_PRIVATE_KEY: _omitted, ...env } = production;
    expect(() => readConfig(new EnvReader(env))).toThrow(ConfigError);
    expect(problemsOf(env).join('\n')).toContain('JWT_PRIVATE_KEY');
  });

  it('reads the admin account (email normalized) and the limits', () => {
    const config = readConfig(
      new EnvReader({
        ...production,
        ADMIN_EMAIL: ' Root@Example.com',
        ADMIN_PASSWORD: 'a long password',
        LOGIN_MAX_FAILURES: '3',
        ACCESS_TOKEN_TTL_SECONDS: '60',
      }),
    );
    expect(config.admin).toEqual({ email: 'root@example.com', password: 'a long password' });
    expect(config.rateLimits.loginFailuresPerEmail).toEqual({ points: 3, windowSeconds: 900 });
    expect(config.accessTokenTtlSeconds).toBe(60);
  });

  it('multiplies every allowance by RATE_LIMIT_MULTIPLIER, not the windows', () => {
    const config = readConfig(new EnvReader({ ...production, RATE_LIMIT_MULTIPLIER: '10', REGISTER_RATE_LIMIT: '2' }));
    expect(config.rateLimits).toEqual({
      register: { points: 20, windowSeconds: 3600 },
      login: { points: 300, windowSeconds: 60 },
      refreshToken: { points: 600, windowSeconds: 60 },
      loginFailuresPerEmail: { points: 50, windowSeconds: 900 },
      loginFailuresPerAddress: { points: 500, windowSeconds: 900 },
      passwordResetPerEmail: { points: 50, windowSeconds: 3600 },
      passwordResetPerAddress: { points: 200, windowSeconds: 3600 },
      emailVerificationPerUser: { points: 50, windowSeconds: 3600 },
    });
  });

  it('reads the mail settings with their defaults; SMTP_URL is required in production only', () => {
    expect(readConfig(new EnvReader(production))).toMatchObject({
      mail: {
        smtpUrl: 'smtp://mail.internal:25',
        from: 'Storegraph <no-reply@storegraph.localhost>',
        storefrontUrl: 'http://localhost:5173',
        folder: '.mail',
        smtpTimeoutMs: 10_000,
      },
      passwordResetTtlSeconds: 3600,
      emailVerificationTtlSeconds: 86_400,
    });
    const { SMTP_URL: _omitted, ...withoutSmtp } = production;
    expect(problemsOf(withoutSmtp)).toEqual(['SMTP_URL is required in production']);
    const dev = readConfig(new EnvReader({ APP_MODE: 'development', STOREFRONT_URL: 'https://shop.example/', MAIL_FROM: 'a@b.test' }));
    expect(dev.mail).toMatchObject({ smtpUrl: null, storefrontUrl: 'https://shop.example', from: 'a@b.test' });
  });

  it.each([
    [{ RATE_LIMIT_MULTIPLIER: '0' }, 'RATE_LIMIT_MULTIPLIER'],
    [{ REFRESH_RATE_WINDOW_SECONDS: 'soon' }, 'REFRESH_RATE_WINDOW_SECONDS'],
    [{ ADMIN_EMAIL: 'root@example.com' }, 'must be set together'],
    [{ ADMIN_PASSWORD: 'a long password' }, 'must be set together'],
    [{ ADMIN_EMAIL: 'root', ADMIN_PASSWORD: 'a long password' }, 'email'],
    [{ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'short' }, 'at least 8'],
    [{ LOGIN_MAX_FAILURES: '0' }, 'LOGIN_MAX_FAILURES'],
    [{ ACCESS_TOKEN_TTL_SECONDS: 'soon' }, 'ACCESS_TOKEN_TTL_SECONDS'],
    [{ SMTP_URL: 'mail.internal:25' }, 'SMTP_URL'],
    [{ STOREFRONT_URL: 'shop.example' }, 'STOREFRONT_URL'],
    [{ PASSWORD_RESET_TTL_SECONDS: '10' }, 'PASSWORD_RESET_TTL_SECONDS'],
    [{ PASSWORD_RESET_RATE_LIMIT: '0' }, 'PASSWORD_RESET_RATE_LIMIT'],
  ])('reports a bad setting %p', (env, expected) => {
    expect(problemsOf({ ...production, ...env }).join('\n')).toContain(expected);
  });

  it('refuses the signing key and secret generated for development, however the PEM is written', () => {
    const dev = generatedDevKeys();
    const escaped = dev.privateKeyPem.replace(/\n/g, '\\n');
    expect(problemsOf({ ...production, KEYS_DIR: dev.KEYS_DIR, JWT_PRIVATE_KEY: escaped, GATEWAY_SECRET: dev.gatewaySecret })).toEqual([
      expect.stringContaining('GATEWAY_SECRET is the key material generated for development'),
      expect.stringContaining('JWT_PRIVATE_KEY is the key material generated for development'),
    ]);
    // Keys of their own start, even with the dev file beside them.
    expect(problemsOf({ ...production, KEYS_DIR: dev.KEYS_DIR })).toEqual([]);
  });

  it('reads how often revocations are pushed to Redis again', () => {
    expect(readConfig(new EnvReader(production)).revocationSyncIntervalMs).toBe(1000);
    expect(readConfig(new EnvReader({ ...production, REVOCATION_SYNC_INTERVAL_MS: '250' })).revocationSyncIntervalMs).toBe(250);
    expect(problemsOf({ ...production, REVOCATION_SYNC_INTERVAL_MS: '0' })).toEqual([expect.stringContaining('REVOCATION_SYNC_INTERVAL_MS')]);
  });

  it('reads how many addresses an account may keep', () => {
    expect(readConfig(new EnvReader(production)).maxAddressesPerUser).toBe(20);
    expect(readConfig(new EnvReader({ ...production, MAX_ADDRESSES_PER_USER: '5' })).maxAddressesPerUser).toBe(5);
    expect(problemsOf({ ...production, MAX_ADDRESSES_PER_USER: '0' })).toEqual([expect.stringContaining('MAX_ADDRESSES_PER_USER')]);
  });
});
