import { dependencies, runService } from '@storegraph/common';
import { createApp, readConfig } from './app';

runService({
  name: 'gateway',
  readConfig: () => readConfig(),
  needs: (config) => dependencies({ redis: config.redisUrl }),
  start: (config, logger) => createApp(config, { logger }),
});
