import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type Logger, natsServers } from '@storegraph/common';
import { LIST_TAG } from './public-reads';
import type { ReadCache } from './read-cache';

interface Envelope {
  subject?: string;
  data?: { productIds?: unknown; lists?: unknown; stock?: unknown; sequence?: unknown; categoryIds?: unknown };
}

/**
 * Keeps one gateway replica's read cache in step with catalog: a core NATS subscription
 * (fan-out: every replica gets every message) to catalog's change events as its outbox
 * publishes them to JetStream. The cache is live only while the subscription is known to
 * be in place: it starts off, turns on once the server has confirmed the subscription,
 * and turns off (emptied) whenever the connection drops, since events sent meanwhile are
 * lost to a core subscriber.
 */
export class CatalogInvalidations {
  private nc: NatsConnection | null = null;
  private stopped = false;

  constructor(
    private readonly options: { natsUrl: string; namespace: string; cache: ReadCache; logger: Logger },
  ) {}

  /** Connects in the background: the gateway serves (uncached) without NATS. */
  start(): void {
    void this.run().catch((err: unknown) => this.options.logger.warn('read cache: cannot follow catalog changes; serving uncached', { err }));
  }

  private async run(): Promise<void> {
    const { cache, namespace, logger } = this.options;
    const nc = await connect({ servers: natsServers(this.options.natsUrl), name: 'gateway-read-cache', maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: true });
    if (this.stopped) return void (await nc.close());
    this.nc = nc;
    nc.subscribe(`${namespace}.catalog.products.changed`, { callback: (_err, msg) => this.apply(msg.json<Envelope>()) });
    nc.subscribe(`${namespace}.catalog.categories.changed`, { callback: () => cache.flush() });
    await nc.flush();
    cache.setActive(true);
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        cache.setActive(false);
        logger.warn('read cache off: NATS disconnected');
      } else if (status.type === 'reconnect') {
        // The subscriptions are re-sent first; flush() round-trips behind them.
        await nc.flush().catch(() => undefined);
        if (!nc.isClosed()) cache.setActive(true);
      }
    }
  }

  /** A change of stock alone is written into the cached reads; any other change drops them (catalog.products.changed). */
  private apply(envelope: Envelope): void {
    const { productIds: ids, stock, sequence, lists } = envelope.data ?? {};
    if (!Array.isArray(ids)) return this.options.cache.flush();
    const productIds = ids.map(String);
    const known = typeof sequence === 'number' ? sequence : undefined;
    if (lists === false && known !== undefined && Array.isArray(stock) && stock.length === productIds.length && stock.every(Number.isSafeInteger)) {
      return this.options.cache.changeStock(productIds, stock as number[], known);
    }
    if (lists !== false) productIds.push(LIST_TAG);
    this.options.cache.invalidate(productIds, known);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.cache.setActive(false);
    await this.nc?.close().catch(() => undefined);
  }
}
