import { ConfigError, EnvReader } from '@storegraph/common';
import { generatedDevKeys } from '@storegraph/common/testing';
import { readConfig } from '../../src/config';

describe('readConfig', () => {
  it('refuses in production the gateway secret generated for development, and takes one of its own', () => {
    const dev = generatedDevKeys();
    const production = { APP_MODE: 'production', KEYS_DIR: dev.KEYS_DIR };
    expect(() => readConfig(new EnvReader({ ...production, GATEWAY_SECRET: dev.gatewaySecret }))).toThrow(ConfigError);
    expect(() => readConfig(new EnvReader({ ...production, GATEWAY_SECRET: dev.gatewaySecret }))).toThrow(
      /GATEWAY_SECRET is the key material generated for development/,
    );
    expect(readConfig(new EnvReader({ ...production, GATEWAY_SECRET: 'o'.repeat(40) })).mode).toBe('production');
  });

  it('reads where users is and how long checkout waits for it, and refuses a relative USERS_URL or a zero timeout', () => {
    const base = { APP_MODE: 'development', KEYS_DIR: generatedDevKeys().KEYS_DIR };
    expect(readConfig(new EnvReader(base))).toMatchObject({ usersUrl: 'http://localhost:4001/graphql', usersTimeoutMs: 5000 });
    expect(readConfig(new EnvReader({ ...base, USERS_URL: 'http://users:4001/graphql', USERS_TIMEOUT_MS: '800' }))).toMatchObject({
      usersUrl: 'http://users:4001/graphql',
      usersTimeoutMs: 800,
    });
    expect(() => readConfig(new EnvReader({ ...base, USERS_URL: 'users/graphql' }))).toThrow(/USERS_URL must be an absolute URL/);
    expect(() => readConfig(new EnvReader({ ...base, USERS_TIMEOUT_MS: '0' }))).toThrow(/USERS_TIMEOUT_MS/);
  });
});
