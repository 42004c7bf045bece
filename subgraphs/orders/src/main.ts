import { dependencies, runService } from '@storegraph/common';
import { createApp, readConfig } from './app';

runService({
  name: 'orders',
  readConfig,
  needs: (config) => dependencies({ postgres: config.databaseUrl, nats: config.natsUrl, redis: config.redisUrl }),
  start: (config) => createApp(config),
});
