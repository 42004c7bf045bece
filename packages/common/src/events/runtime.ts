import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';
import { EventBus } from './bus';
import { EventConsumer, type EventConsumerOptions, type Subscription } from './consumer';
import { OutboxRelay } from './outbox';

export interface EventRuntimeOptions {
  /** The subgraph: names its NATS connection and its durable consumers. */
  name: string;
  natsUrl: string;
  natsNamespace: string;
  /** NATS_STREAM_REPLICAS: JetStream servers that keep each stream (default 1). */
  streamReplicas?: number;
  orm: MikroORM;
  logger: Logger;
  /** The subgraph's manifest (src/events/subscriptions.ts); empty for a pure producer. */
  subscriptions: Subscription[];
  consumer?: Pick<EventConsumerOptions, 'maxDeliveries' | 'backoffMs' | 'concurrency' | 'filtered'>;
  /** Tests turn the relay off to play a crash between commit and publish. */
  relay?: boolean;
  sweepIntervalMs?: number;
  graceMs?: number;
}

export interface EventRuntime {
  bus: EventBus;
  relay: OutboxRelay | null;
  consumer: EventConsumer | null;
  /** Throws when NATS does not answer (for /ready). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Everything a subgraph needs to take part in the saga, started in the right order:
 * connect, declare streams, start the outbox relay, then the consumers. Stopping goes in
 * reverse and lets in-flight handlers finish before the connection drains.
 */
export async function startEventRuntime(options: EventRuntimeOptions): Promise<EventRuntime> {
  const { logger } = options;
  const bus = await EventBus.connect({
    url: options.natsUrl,
    name: options.name,
    namespace: options.natsNamespace,
    logger,
  });
  await bus.ensureStreams(options.streamReplicas);
  const relay =
    options.relay === false
      ? null
      : new OutboxRelay({ orm: options.orm, bus, logger, sweepIntervalMs: options.sweepIntervalMs, graceMs: options.graceMs });
  relay?.start();
  const consumer =
    options.subscriptions.length > 0
      ? new EventConsumer({
          bus,
          orm: options.orm,
          logger,
          name: options.name,
          subscriptions: options.subscriptions,
          committed: relay ? (envelopes) => relay.committed(envelopes) : undefined,
          ...options.consumer,
        })
      : null;
  await consumer?.start();
  return {
    bus,
    relay,
    consumer,
    ready: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('NATS does not answer')), 1000);
      });
      try {
        // Down or reconnecting ("connection disconnected") reads the same to an operator.
        await Promise.race([bus.nc.flush().catch(() => Promise.reject(new Error('NATS does not answer'))), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    stop: async () => {
      await consumer?.stop();
      await relay?.stop();
      await bus.close();
    },
  };
}
