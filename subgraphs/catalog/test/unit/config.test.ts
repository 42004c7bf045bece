import { ConfigError, EnvReader } from '@storegraph/common';
import { generatedDevKeys } from '@storegraph/common/testing';
import { readConfig } from '../../src/config';

// Explicit secrets keep the development key generator from writing files.
const base = { APP_MODE: 'development', GATEWAY_SECRET: 'x'.repeat(32), JWT_PUBLIC_KEY: 'pub', JWT_PRIVATE_KEY: 'priv' };

describe('readConfig', () => {
  it('defaults to port 4002, a catalog database, a 900 s reservation TTL swept every second', () => {
    const config = readConfig(new EnvReader(base));
    expect(config).toMatchObject({ port: 4002, reservationTtlSeconds: 900, reservationSweepIntervalMs: 1000, currency: 'USD' });
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/catalog');
    expect(config.images).toEqual({ maxImages: 10, maxUrlLength: 2048, maxAltLength: 500 });
  });

  it('reads the image limits', () => {
    const config = readConfig(
      new EnvReader({ ...base, PRODUCT_IMAGES_MAX: '4', PRODUCT_IMAGE_URL_MAX_LENGTH: '300', PRODUCT_IMAGE_ALT_MAX_LENGTH: '80' }),
    );
    expect(config.images).toEqual({ maxImages: 4, maxUrlLength: 300, maxAltLength: 80 });
  });

  it('refuses image limits that would refuse every image', () => {
    let caught: unknown;
    try {
      readConfig(new EnvReader({ ...base, PRODUCT_IMAGES_MAX: '0', PRODUCT_IMAGE_URL_MAX_LENGTH: '10', PRODUCT_IMAGE_ALT_MAX_LENGTH: 'x' }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([
      expect.stringContaining('PRODUCT_IMAGES_MAX'),
      expect.stringContaining('PRODUCT_IMAGE_URL_MAX_LENGTH'),
      expect.stringContaining('PRODUCT_IMAGE_ALT_MAX_LENGTH'),
    ]);
  });

  it('defaults the users subgraph and the review bounds, and reads them', () => {
    expect(readConfig(new EnvReader(base))).toMatchObject({
      usersUrl: 'http://localhost:4001/graphql',
      usersTimeoutMs: 5000,
      reviews: { maxTitleLength: 200, maxBodyLength: 5000 },
    });
    const config = readConfig(
      new EnvReader({ ...base, USERS_URL: 'http://users:4001/graphql', USERS_TIMEOUT_MS: '800', REVIEW_TITLE_MAX_LENGTH: '80', REVIEW_BODY_MAX_LENGTH: '2000' }),
    );
    expect(config).toMatchObject({ usersUrl: 'http://users:4001/graphql', usersTimeoutMs: 800, reviews: { maxTitleLength: 80, maxBodyLength: 2000 } });
  });

  it('refuses a relative USERS_URL and review bounds below 1', () => {
    let caught: unknown;
    try {
      readConfig(new EnvReader({ ...base, USERS_URL: 'users/graphql', REVIEW_TITLE_MAX_LENGTH: '0', REVIEW_BODY_MAX_LENGTH: '-1', USERS_TIMEOUT_MS: '0' }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('USERS_URL'),
        expect.stringContaining('USERS_TIMEOUT_MS'),
        expect.stringContaining('REVIEW_TITLE_MAX_LENGTH'),
        expect.stringContaining('REVIEW_BODY_MAX_LENGTH'),
      ]),
    );
  });

  it('reads its own settings', () => {
    const config = readConfig(
      new EnvReader({
        ...base,
        CATALOG_PORT: '5002',
        RESERVATION_TTL_SECONDS: '60',
        RESERVATION_SWEEP_INTERVAL_MS: '250',
        CATALOG_DATABASE_URL: 'postgres://db/cat',
      }),
    );
    expect(config).toMatchObject({ port: 5002, reservationTtlSeconds: 60, reservationSweepIntervalMs: 250, databaseUrl: 'postgres://db/cat' });
  });

  it('fails fast naming every bad setting', () => {
    let caught: unknown;
    try {
      readConfig(new EnvReader({ ...base, RESERVATION_TTL_SECONDS: '0', CATALOG_PORT: 'x' }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([
      expect.stringContaining('CATALOG_PORT'),
      expect.stringContaining('RESERVATION_TTL_SECONDS'),
    ]);
  });

  it('refuses in production a gateway secret equal to the dev key file, prefix or not', () => {
    // A file from before generated secrets carried a prefix: recognized by its value.
    const dev = generatedDevKeys({ gatewaySecret: 'o'.repeat(43) });
    const production = { APP_MODE: 'production', KEYS_DIR: dev.KEYS_DIR };
    expect(() => readConfig(new EnvReader({ ...production, GATEWAY_SECRET: dev.gatewaySecret }))).toThrow(
      /GATEWAY_SECRET is the key material generated for development/,
    );
    expect(readConfig(new EnvReader({ ...production, GATEWAY_SECRET: 'c'.repeat(43) })).mode).toBe('production');
  });
});
