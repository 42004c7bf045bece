import { ConfigError, EnvReader } from '@storegraph/common';
import { readConfig } from '../../src/config';

describe('readConfig', () => {
  it('defaults to the test provider, a 3 s delay, 16 handlers with a pool to match and recovery after 60 s', () => {
    const config = readConfig(new EnvReader({}));
    expect(config).toMatchObject({ paymentProvider: 'test', paymentTestDelayMs: 3000, consumerConcurrency: 16, paymentRecoveryAfterSeconds: 60 });
    expect(config.databasePoolMax).toBeGreaterThan(config.consumerConcurrency);
  });

  it('sizes the pool from PAYMENTS_CONSUMER_CONCURRENCY', () => {
    const config = readConfig(new EnvReader({ PAYMENTS_CONSUMER_CONCURRENCY: '40', PAYMENT_TEST_DELAY_MS: '0' }));
    expect(config.consumerConcurrency).toBe(40);
    expect(config.paymentTestDelayMs).toBe(0);
    expect(config.databasePoolMax).toBeGreaterThan(40);
  });

  it('refuses an unknown provider, a concurrency below 1 and a recovery period below 1 s, together', () => {
    let error: unknown;
    try {
      readConfig(new EnvReader({ PAYMENT_PROVIDER: 'stripe', PAYMENTS_CONSUMER_CONCURRENCY: '0', PAYMENT_RECOVERY_AFTER_SECONDS: '0' }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining('PAYMENT_PROVIDER'),
      expect.stringContaining('PAYMENTS_CONSUMER_CONCURRENCY'),
      expect.stringContaining('PAYMENT_RECOVERY_AFTER_SECONDS'),
    ]);
  });
});
