import { createLogger } from '@storegraph/common';
import { createApp, readConfig } from './app';

async function main(): Promise<void> {
  const logger = createLogger('gateway');
  const app = await createApp(readConfig(), { logger });
  const url = await app.listen();
  console.log(`Storegraph gateway listening at ${url}`);
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
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
