import { EnvReader, readSubgraphConfig, type Mode, type SubgraphConfig } from '@storegraph/common';

/** The adapters of the PaymentProvider port; `test` is the only one so far. */
export const PAYMENT_PROVIDERS = ['test'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

export interface PaymentsConfig extends SubgraphConfig {
  /**
   * `PAYMENT_PROVIDER`: which adapter charges cards. Only `test` exists (the built-in
   * provider with Stripe-like test tokens, see CheckoutInput): a real one is a new adapter
   * of PaymentProvider that passes the same contract suite. Development defaults to
   * `test`; production has no default (a deploy must say what moves its money), and
   * `test` named there is accepted with a warning at start (createPaymentProvider).
   */
  paymentProvider: PaymentProviderName;
  /** `PAYMENT_TEST_DELAY_MS`: how long the test provider takes to approve `tok_delayed`. */
  paymentTestDelayMs: number;
  /** `PAYMENTS_CONSUMER_CONCURRENCY`: events handled at once. */
  consumerConcurrency: number;
  /**
   * `PAYMENT_RECOVERY_AFTER_SECONDS`: a provider call (capture or refund) still going
   * after this long was interrupted (the process died during it) and is made again with
   * its key. Must be well above the provider adapter's call timeout.
   */
  paymentRecoveryAfterSeconds: number;
  /**
   * `PAYMENT_RETRY_MIN_MS` / `PAYMENT_RETRY_MAX_MS`: after a provider call that got no
   * answer (its outcome unknown), the wait before asking again; it doubles after each
   * unanswered call up to the maximum, and the asking never stops (provider-retry.ts).
   */
  paymentRetryMinMs: number;
  paymentRetryMaxMs: number;
  /** Connection pool size, derived from the concurrency (see readConfig). */
  databasePoolMax: number;
}

/**
 * Connections beyond the consumer's: GraphQL requests, the outbox relay and /ready must
 * never queue behind slow charges.
 */
const POOL_HEADROOM = 10;

function readProvider(env: EnvReader, mode: Mode): PaymentProviderName {
  const named = mode === 'production' ? env.optional('PAYMENT_PROVIDER') : env.string('PAYMENT_PROVIDER', 'test');
  if (named === undefined) {
    env.problem(`PAYMENT_PROVIDER is required in production (one of ${PAYMENT_PROVIDERS.join(', ')})`);
    return 'test';
  }
  if (!isProviderName(named)) {
    env.problem(`PAYMENT_PROVIDER must be one of ${PAYMENT_PROVIDERS.join(', ')} (got "${named}")`);
    return 'test';
  }
  return named;
}

const isProviderName = (name: string): name is PaymentProviderName => (PAYMENT_PROVIDERS as readonly string[]).includes(name);

export function readConfig(env = new EnvReader()): PaymentsConfig {
  const base = readSubgraphConfig(env, 'payments', 4004);
  const paymentProvider = readProvider(env, base.mode);
  const consumerConcurrency = env.int('PAYMENTS_CONSUMER_CONCURRENCY', 16, 1);
  const paymentRetryMinMs = env.int('PAYMENT_RETRY_MIN_MS', 1000, 10);
  const paymentRetryMaxMs = env.int('PAYMENT_RETRY_MAX_MS', 300_000, 10);
  if (paymentRetryMaxMs < paymentRetryMinMs) {
    env.problem(`PAYMENT_RETRY_MAX_MS must be >= PAYMENT_RETRY_MIN_MS (got ${paymentRetryMaxMs} < ${paymentRetryMinMs})`);
  }
  const config: PaymentsConfig = {
    ...base,
    paymentProvider,
    paymentTestDelayMs: env.int('PAYMENT_TEST_DELAY_MS', 3000),
    consumerConcurrency,
    paymentRecoveryAfterSeconds: env.int('PAYMENT_RECOVERY_AFTER_SECONDS', 60, 1),
    paymentRetryMinMs,
    paymentRetryMaxMs,
    // A capture holds no connection while the provider answers, but one that falls back
    // to the handler's transaction does (seconds for tok_delayed): every concurrent
    // handler gets its own connection plus the headroom (unless DATABASE_POOL_MAX says).
    databasePoolMax: env.int('DATABASE_POOL_MAX', consumerConcurrency + POOL_HEADROOM, 1),
  };
  env.done();
  return config;
}
