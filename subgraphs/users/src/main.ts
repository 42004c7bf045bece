import { dependencies, runService } from '@storegraph/common';
import { createApp, readConfig } from './app';

runService({
  name: 'users',
  readConfig,
  needs: (config) => dependencies({ postgres: config.databaseUrl, redis: config.redisUrl }),
  start: (config, logger) => createApp(config, logger),
});
