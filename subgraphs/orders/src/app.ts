import {
  createLogger,
  createRedis,
  createSubgraphService,
  openDatabase,
  RateLimits,
  startEventRuntime,
  type EventRuntime,
  type SubgraphService,
} from '@storegraph/common';
import { createContextFactory, type OrdersContext } from './context';
import { entities } from './entities';
import { orderSubscriptions } from './events/subscriptions';
import { migrations } from './migrations';
import { buildSchema } from './schema';
import type { OrdersConfig } from './config';
import { CartCouponService } from './services/cart-coupon.service';
import { CartService } from './services/cart.service';
import { type AddressBook, HttpAddressBook } from './services/address-book';
import { CheckoutService } from './services/checkout.service';
import { FulfilmentService } from './services/fulfilment.service';
import { CouponService } from './services/coupon.service';
import { OrderSagaService } from './services/order-saga.service';
import { OrderStatusFeed } from './services/order-status-feed.service';
import { OrderService } from './services/order.service';
import { watchOpenOrders } from './services/open-orders-metrics';
import { HttpProductCatalog, type ProductCatalog } from './services/product-catalog';
import { attachSubscriptionServer } from './subscription-server';

export { buildSchema } from './schema';
export { readConfig, type OrdersConfig } from './config';

export interface OrdersApp extends SubgraphService {
  /** The saga's side: NATS bus, outbox relay, consumer (tests publish and observe through it). */
  events: EventRuntime;
  /** `orderStatusChanged` over graphql-ws: what this process holds for its live subscribers. */
  live: LiveOrders;
}

export interface LiveOrders {
  /** Subscribers registered for status changes (0 once all have unsubscribed or disconnected). */
  subscribers(): number;
  /** NATS subscriptions held for them: one per process, however many subscribers. */
  natsSubscriptions(): number;
}

export interface OrdersDeps {
  /** Defaults to the catalog subgraph over HTTP at config.catalogUrl. */
  catalog?: ProductCatalog;
  /** Defaults to the users subgraph over HTTP at config.usersUrl. */
  addresses?: AddressBook;
  /** false starts without the outbox relay: tests play a crash between commit and publish. */
  relay?: boolean;
  /** How often the relay's sweeper looks for unpublished rows (default 1 s). */
  sweepIntervalMs?: number;
}

export async function createApp(config: OrdersConfig, deps: OrdersDeps = {}): Promise<OrdersApp> {
  const logger = createLogger('orders');
  const ownCatalog = deps.catalog ? null : new HttpProductCatalog(config.catalogUrl);
  const catalog = deps.catalog ?? ownCatalog!;
  const ownAddresses = deps.addresses ? null : new HttpAddressBook(config.usersUrl, config.gatewaySecret, config.usersTimeoutMs);
  const addresses = deps.addresses ?? ownAddresses!;
  const cart = new CartService(config.currency);
  const saga = new OrderSagaService(logger);
  const statusFeed = new OrderStatusFeed(logger);
  const schema = await buildSchema();
  const database = await openDatabase({ url: config.databaseUrl, timeouts: config.databaseTimeouts, poolMax: config.databasePoolMax, entities, migrations });
  const redis = createRedis(config.redisUrl, config.redisPrefix);
  redis.on('error', (err: Error) => logger.warn('redis error', { err }));
  const services = {
    currency: config.currency,
    cart,
    cartCoupons: new CartCouponService(cart),
    coupons: new CouponService(config.currency, logger),
    checkout: new CheckoutService(config.currency, cart, saga, addresses),
    order: new OrderService(saga),
    fulfilment: new FulfilmentService(saga),
    statusFeed,
    limits: new RateLimits(redis, config.rateLimits),
  };
  const extendContext = createContextFactory(services, catalog);
  let events: EventRuntime | null = null;
  try {
    events = await startEventRuntime({
      name: 'orders',
      natsUrl: config.natsUrl,
      natsNamespace: config.natsNamespace,
      streamReplicas: config.natsStreamReplicas,
      orm: database.orm,
      logger,
      subscriptions: orderSubscriptions(saga),
      relay: deps.relay,
      sweepIntervalMs: deps.sweepIntervalMs,
    });
    statusFeed.start(events.bus);
    const runtime = events;
    const unwatchOpenOrders = watchOpenOrders(database);
    const service = await createSubgraphService<OrdersContext>({
      name: 'orders',
      config,
      schema,
      database,
      logger,
      extendContext,
      ready: async () => {
        await runtime.ready();
        await redis.ping();
      },
      onStop: async () => {
        unwatchOpenOrders();
        await runtime.stop();
        // Redis may be down at shutdown (only rate-limit counts live there); quit() then
        // resolves at once or fails, but leaves ioredis reconnecting.
        await redis.quit().catch(() => undefined);
        redis.disconnect();
      },
    });
    const subscriptions = attachSubscriptionServer({ server: service.server, schema, config, database, logger, extendContext });
    return {
      ...service,
      events,
      live: { subscribers: () => statusFeed.subscribers(), natsSubscriptions: () => statusFeed.natsSubscriptions() },
      // Sockets first: an open WebSocket would keep the HTTP server from closing.
      stop: async () => {
        await subscriptions.close();
        await statusFeed.stop();
        await service.stop();
        ownCatalog?.close();
        ownAddresses?.close();
      },
    };
  } catch (err) {
    await events?.stop();
    ownCatalog?.close();
    ownAddresses?.close();
    redis.disconnect();
    await database.close();
    throw err;
  }
}
