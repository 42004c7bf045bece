import { ConfigError, EnvReader } from '@storegraph/common';
import { readConfig } from '../../src/config';

describe('readConfig', () => {
  it('defaults to the test provider, a 3 s delay and 16 handlers with a pool to match', () => {
    const config = readConfig(new EnvReader({}));
    expect(config).toMatchObject({ paymentProvider: 'test', paymentTestDelayMs: 3000, consumerConcurrency: 16 });
    expect(config.databasePoolMax).toBeGreaterThan(config.consumerConcurrency);
  });

  it('sizes the pool from PAYMENTS_CONSUMER_CONCURRENCY', () => {
    const config = readConfig(new EnvReader({ PAYMENTS_CONSUMER_CONCURRENCY: '40', PAYMENT_TEST_DELAY_MS: '0' }));
    expect(config.consumerConcurrency).toBe(40);
    expect(config.paymentTestDelayMs).toBe(0);
    expect(config.databasePoolMax).toBeGreaterThan(40);
  });

  it('refuses an unknown provider and a concurrency below 1, together', () => {
    let error: unknown;
    try {
      readConfig(new EnvReader({ PAYMENT_PROVIDER: 'stripe', PAYMENTS_CONSUMER_CONCURRENCY: '0' }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining('PAYMENT_PROVIDER'),
      expect.stringContaining('PAYMENTS_CONSUMER_CONCURRENCY'),
    ]);
  });
});
