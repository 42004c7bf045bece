import { dependencies, runService } from '@storegraph/common';
import { createApp, readConfig } from './app';

runService({
  name: 'catalog',
  readConfig,
  needs: (config) => dependencies({ postgres: config.databaseUrl, nats: config.natsUrl }),
  start: (config) => createApp(config),
});
