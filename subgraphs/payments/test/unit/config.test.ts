import { ConfigError, EnvReader, type Logger } from '@storegraph/common';
import { generatedDevKeys } from '@storegraph/common/testing';
import { readConfig } from '../../src/config';
import { createPaymentProvider } from '../../src/services/payment-provider.factory';
import { retryDelayMs } from '../../src/services/provider-retry';
import { TestPaymentProvider } from '../../src/services/test-payment-provider';

const production = { APP_MODE: 'production', GATEWAY_SECRET: 'p'.repeat(40), PAYMENT_PROVIDER: 'test' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    readConfig(new EnvReader(env));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

/** A logger that keeps what it was told, to check what a service says at start. */
function recordingLogger(): Logger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  const logger = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

describe('readConfig', () => {
  it('defaults to the test provider, a 3 s delay, 16 handlers with a pool to match and recovery after 60 s', () => {
    const config = readConfig(new EnvReader({}));
    expect(config).toMatchObject({ paymentProvider: 'test', paymentTestDelayMs: 3000, consumerConcurrency: 16, paymentRecoveryAfterSeconds: 60 });
    expect(config).toMatchObject({ paymentRetryMinMs: 1000, paymentRetryMaxMs: 300_000 });
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

  it('has no provider default in production: a missing PAYMENT_PROVIDER is named', () => {
    const { PAYMENT_PROVIDER: _omitted, ...env } = production;
    expect(problemsOf(env)).toEqual([expect.stringContaining('PAYMENT_PROVIDER is required in production')]);
    expect(problemsOf({ ...env, PAYMENT_PROVIDER: '' })).toEqual([expect.stringContaining('PAYMENT_PROVIDER is required in production')]);
  });

  it('takes the test provider in production only when named, and warns at start', () => {
    const config = readConfig(new EnvReader(production));
    expect(config).toMatchObject({ mode: 'production', paymentProvider: 'test' });
    const logger = recordingLogger();
    expect(createPaymentProvider(config, logger)).toBeInstanceOf(TestPaymentProvider);
    expect(logger.lines).toEqual([{ level: 'warn', message: expect.stringContaining('PAYMENT_PROVIDER=test in production') }]);

    // Development is where the test provider belongs: no warning there.
    const quiet = recordingLogger();
    createPaymentProvider(readConfig(new EnvReader({})), quiet);
    expect(quiet.lines).toEqual([]);
  });

  it('refuses the gateway secret generated for development in production', () => {
    const dev = generatedDevKeys();
    expect(problemsOf({ ...production, KEYS_DIR: dev.KEYS_DIR, GATEWAY_SECRET: dev.gatewaySecret })).toEqual([
      expect.stringContaining('GATEWAY_SECRET is the key material generated for development'),
    ]);
    // Copied elsewhere without its file, the generated secret is still recognized by its prefix.
    expect(problemsOf({ ...production, GATEWAY_SECRET: dev.gatewaySecret })).toEqual([
      expect.stringContaining('GATEWAY_SECRET is the key material generated for development'),
    ]);
    // Development reads the same file happily.
    expect(readConfig(new EnvReader({ KEYS_DIR: dev.KEYS_DIR })).gatewaySecret).toBe(dev.gatewaySecret);
  });

  it('reads the wait between calls that got no answer, and refuses a maximum below the minimum', () => {
    expect(readConfig(new EnvReader({ PAYMENT_RETRY_MIN_MS: '50', PAYMENT_RETRY_MAX_MS: '200' }))).toMatchObject({
      paymentRetryMinMs: 50,
      paymentRetryMaxMs: 200,
    });
    expect(problemsOf({ PAYMENT_RETRY_MIN_MS: '5000', PAYMENT_RETRY_MAX_MS: '1000' })).toEqual([
      expect.stringContaining('PAYMENT_RETRY_MAX_MS must be >= PAYMENT_RETRY_MIN_MS'),
    ]);
    expect(problemsOf({ PAYMENT_RETRY_MIN_MS: '0' })).toEqual([expect.stringContaining('PAYMENT_RETRY_MIN_MS')]);
  });

  it('doubles the wait after each unanswered call, up to the maximum', () => {
    const schedule = { leaseSeconds: 60, minMs: 1000, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 50].map((attempts) => retryDelayMs(schedule, attempts))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});
