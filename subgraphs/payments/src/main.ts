import { createLogger } from '@storegraph/common';
import { createApp, readConfig } from './app';

async function main(): Promise<void> {
  const logger = createLogger('payments');
  const config = readConfig();
  const app = await createApp(config);
  await app.listen();
  const shutdown = (signal: string) => {
    logger.info('stopping', { signal });
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('stop failed', { err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  createLogger('payments').error('failed to start', { err });
  process.exit(1);
});
