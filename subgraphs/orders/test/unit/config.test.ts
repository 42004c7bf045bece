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
});
