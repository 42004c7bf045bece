import {
  EnvReader,
  parseEnvelope,
  uuidv7,
  type EventEnvelope,
  type Payload,
  type Role,
  type Subject,
} from '@storegraph/common';
import { dropNamespace, gatewayHeaders, testRedisPrefix, testSubgraphConfig } from '@storegraph/common/testing';
import type { Subscription as NatsSubscription } from '@nats-io/nats-core';
import { createApp, readConfig, type PaymentsApp, type PaymentsConfig, type PaymentsDeps } from '../../src/app';

/**
 * Payments under test as the saga sees it: its own test database and NATS namespace, a
 * provider the test can inspect, and helpers to play orders (publish its events) and to
 * watch what payments emits.
 */
export interface PaymentsHarness {
  app: PaymentsApp;
  config: PaymentsConfig;
  url: string;
  /** Every payments.* event seen on the wire, de-duplicated by envelope id. */
  emitted: EventEnvelope[];
  /** Messages on payments.* that broke the shared contracts (should stay empty). */
  malformed: string[];
  /** Publishes an envelope as orders' relay would; msgID defaults to the envelope id. */
  publish<S extends Subject>(envelope: EventEnvelope<S>, msgID?: string): Promise<void>;
  /** Events the consumer has finished with (applied or skipped as duplicates). */
  handled(): number;
  /** Identity headers of a caller, as the gateway signs them. */
  as(userId: string, role?: Role): Record<string, string>;
  stop(): Promise<void>;
}

export function envelope<S extends Subject>(subject: S, data: Payload<S>): EventEnvelope<S> {
  return { id: uuidv7(), subject, version: 1, occurredAt: new Date().toISOString(), data };
}

/** The payments config of a test: the shared test settings plus payments' own. */
export function testPaymentsConfig(overrides: Record<string, string> = {}): PaymentsConfig {
  const base = testSubgraphConfig('payments');
  return readConfig(
    new EnvReader({
      ...process.env,
      APP_MODE: 'development',
      PAYMENTS_PORT: '0',
      PAYMENTS_DATABASE_URL: base.databaseUrl,
      NATS_NAMESPACE: base.natsNamespace,
      REDIS_PREFIX: testRedisPrefix,
      PAYMENT_TEST_DELAY_MS: '200',
      // A lost answer is asked about again soon, so tests that sweep by hand wait little.
      PAYMENT_RETRY_MIN_MS: '50',
      PAYMENT_RETRY_MAX_MS: '200',
      ...overrides,
    }),
  );
}

export async function startPayments(deps: PaymentsDeps = {}): Promise<PaymentsHarness> {
  const config = testPaymentsConfig();
  const app = await createApp(config, deps);
  const url = await app.listen(0);
  const { bus } = app.events;
  const emitted: EventEnvelope[] = [];
  const malformed: string[] = [];
  const seen = new Set<string>();
  const watcher: NatsSubscription = bus.nc.subscribe(bus.subject('payments.>'));
  void (async () => {
    for await (const msg of watcher) {
      try {
        // Validated against the shared contracts, as catalog and orders will read them.
        const event = parseEnvelope(bus.localSubject(msg.subject) as Subject, msg.data);
        if (!seen.has(event.id)) {
          seen.add(event.id);
          emitted.push(event);
        }
      } catch (err) {
        malformed.push(`${msg.subject}: ${String(err)}`);
      }
    }
  })();
  await bus.nc.flush();
  const counts = () => app.events.consumer?.counts ?? { applied: 0, duplicate: 0 };

  return {
    app,
    config,
    url,
    emitted,
    malformed,
    publish: async (event, msgID = event.id) => {
      await bus.js.publish(bus.subject(event.subject), JSON.stringify(event), { msgID });
    },
    handled: () => counts().applied + counts().duplicate,
    as: (userId, role = 'CUSTOMER') => gatewayHeaders(config.gatewaySecret, role, userId),
    stop: async () => {
      watcher.unsubscribe();
      await app.stop();
      await dropNamespace(config.natsUrl, config.natsNamespace);
    },
  };
}
