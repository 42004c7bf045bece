import {
  createLogger,
  createSubgraphService,
  openDatabase,
  startEventRuntime,
  type EventRuntime,
  type EventRuntimeOptions,
  type SubgraphService,
} from '@storegraph/common';
import { createContextFactory, type PaymentsContext } from './context';
import { entities } from './entities';
import { subscriptions } from './events/subscriptions';
import { migrations } from './migrations';
import { buildSchema } from './schema';
import type { PaymentsConfig } from './config';
import { CaptureService } from './services/capture.service';
import type { PaymentProvider } from './services/payment-provider';
import { createPaymentProvider } from './services/payment-provider.factory';
import { PaymentService } from './services/payment.service';
import { PaymentReconciliation } from './services/payment-reconciliation';
import type { RetrySchedule } from './services/provider-retry';
import { RefundService } from './services/refund.service';

export { buildSchema } from './schema';
export { readConfig, type PaymentsConfig } from './config';
export type { PaymentProvider } from './services/payment-provider';
export { TestPaymentProvider } from './services/test-payment-provider';

export interface PaymentsApp extends SubgraphService {
  /** The saga's side: the bus, the outbox relay and the consumer of orders' events. */
  events: EventRuntime;
  provider: PaymentProvider;
  /** Asks the provider again about captures and refunds without an answer (tests call its sweep directly). */
  recovery: PaymentReconciliation;
}

export interface PaymentsDeps {
  /** Defaults to the adapter named by PAYMENT_PROVIDER; tests pass one they can inspect. */
  provider?: PaymentProvider;
  /**
   * Test seams of the event runtime: read-only tests that count SQL statements turn the
   * outbox relay off, since its polling is counted too.
   */
  events?: Pick<EventRuntimeOptions, 'relay' | 'sweepIntervalMs'>;
  /** false: no periodic reconciliation sweep (tests that stage an interrupted call sweep by hand). */
  recoverySweeps?: boolean;
}

export async function createApp(config: PaymentsConfig, deps: PaymentsDeps = {}): Promise<PaymentsApp> {
  const logger = createLogger('payments');
  const provider = deps.provider ?? createPaymentProvider(config, logger);
  const schema = await buildSchema();
  const database = await openDatabase({
    url: config.databaseUrl,
    timeouts: config.databaseTimeouts,
    entities,
    migrations,
    poolMax: config.databasePoolMax,
  });
  const schedule: RetrySchedule = {
    leaseSeconds: config.paymentRecoveryAfterSeconds,
    minMs: config.paymentRetryMinMs,
    maxMs: config.paymentRetryMaxMs,
  };
  const capture = new CaptureService(provider, schedule, logger);
  const refund = new RefundService(provider, schedule, logger);
  const recovery = new PaymentReconciliation({ orm: database.orm, capture, refund, logger, schedule });
  let runtime: EventRuntime | null = null;
  try {
    runtime = await startEventRuntime({
      name: 'payments',
      natsUrl: config.natsUrl,
      natsNamespace: config.natsNamespace,
      streamReplicas: config.natsStreamReplicas,
      orm: database.orm,
      logger,
      subscriptions: subscriptions({ capture, refund }),
      consumer: { concurrency: config.consumerConcurrency },
      ...deps.events,
    });
    const events = runtime;
    const service = await createSubgraphService<PaymentsContext>({
      name: 'payments',
      config,
      schema,
      database,
      logger,
      extendContext: createContextFactory({ payment: new PaymentService() }),
      ready: events.ready,
      onStop: async () => {
        await recovery.stop();
        await events.stop();
      },
    });
    if (deps.recoverySweeps !== false) recovery.start();
    return Object.assign(service, { events, provider, recovery });
  } catch (err) {
    await runtime?.stop();
    await database.close();
    throw err;
  }
}
