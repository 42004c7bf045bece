import {
  createLogger,
  createSubgraphService,
  openDatabase,
  OutboxNotifications,
  startEventRuntime,
  type EventRuntime,
  type Logger,
  type SubgraphService,
} from '@storegraph/common';
import type { CatalogConfig } from './config';
import { createContext, type CatalogContext } from './context';
import { entities } from './entities';
import { catalogSubscriptions } from './events/subscriptions';
import { migrations } from './migrations';
import { buildSchema } from './schema';
import { ReservationExpirySweeper } from './services/reservation-expiry.sweeper';
import { HttpUserDirectory, type UserDirectory } from './services/user-directory';

export { buildSchema } from './schema';
export { DEFAULT_IMAGE_LIMITS, DEFAULT_REVIEW_LIMITS, readConfig, type CatalogConfig, type ImageLimits, type ReviewLimits } from './config';
export type { UserDirectory } from './services/user-directory';

export interface CatalogApp extends SubgraphService {
  /** The event backbone: bus, relay and consumer (tests and the e2e harness read it). */
  events: EventRuntime;
  /** Null when started without background work. */
  expirySweeper: ReservationExpirySweeper | null;
}

export interface CatalogAppOptions {
  logger?: Logger;
  /**
   * Background work on by default. Tests that count SQL statements or play a crash turn
   * off the outbox relay and the expiry sweeper; the event consumer always runs.
   */
  relay?: boolean;
  expirySweeper?: boolean;
  /** Defaults to the users subgraph over HTTP at config.usersUrl. */
  users?: UserDirectory;
}

/** Builds the catalog service (database migrated, events flowing, schema ready); never listens by itself. */
export async function createApp(config: CatalogConfig, options: CatalogAppOptions = {}): Promise<CatalogApp> {
  const logger = options.logger ?? createLogger('catalog');
  const schema = await buildSchema();
  const database = await openDatabase({ url: config.databaseUrl, timeouts: config.databaseTimeouts, poolMax: config.databasePoolMax, entities, migrations });
  let events: EventRuntime | null = null;
  let sweeper: ReservationExpirySweeper | null = null;
  let notifications: OutboxNotifications | null = null;
  const ownUsers = options.users ? null : new HttpUserDirectory(config.usersUrl, config.gatewaySecret, config.usersTimeoutMs);
  const users = options.users ?? ownUsers!;
  try {
    events = await startEventRuntime({
      name: 'catalog',
      natsUrl: config.natsUrl,
      natsNamespace: config.natsNamespace,
      streamReplicas: config.natsStreamReplicas,
      orm: database.orm,
      logger,
      subscriptions: catalogSubscriptions(config),
      relay: options.relay ?? true,
    });
    // The read cache's change events are written by triggers: published as they commit.
    if (events.relay) {
      notifications = new OutboxNotifications(config.databaseUrl, events.relay, logger);
      await notifications.start();
    }
    if (options.expirySweeper ?? true) {
      sweeper = new ReservationExpirySweeper({ orm: database.orm, logger, intervalMs: config.reservationSweepIntervalMs });
      sweeper.start();
    }
    const runtime = events;
    const service = await createSubgraphService<CatalogContext>({
      name: 'catalog',
      config,
      schema,
      database,
      logger,
      extendContext: (base) => createContext(base, config, users),
      ready: runtime.ready,
      onStop: async () => {
        // The sweeper writes to the outbox: stop it before the relay that publishes it.
        await sweeper?.stop();
        await notifications?.stop();
        await runtime.stop();
        ownUsers?.close();
      },
    });
    return { ...service, events: runtime, expirySweeper: sweeper };
  } catch (err) {
    await sweeper?.stop();
    await notifications?.stop();
    await events?.stop();
    ownUsers?.close();
    await database.close();
    throw err;
  }
}
