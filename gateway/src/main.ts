import { dependencies, runService } from '@storegraph/common';
import { createApp, readConfig } from './app';
import { limitHeapGrowth } from './heap-growth';

runService({
  name: 'gateway',
  readConfig: () => readConfig(),
  needs: (config) => dependencies({ redis: config.redisUrl }),
  start: (config, logger) => {
    limitHeapGrowth(config.heapGrowingPercent);
    return createApp(config, { logger });
  },
});
