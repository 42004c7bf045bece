import { createLogger, unreachable } from '@storegraph/common';
import { createApp, readConfig } from './app';

async function main(): Promise<void> {
  const logger = createLogger('users');
  const config = readConfig();
  const down = await unreachable([
    { name: 'PostgreSQL', url: config.databaseUrl, hint: 'pg_ctlcluster 15 main start (or docker compose up -d postgres)' },
    { name: 'Redis', url: config.redisUrl, hint: 'redis-server --daemonize yes (or docker compose up -d redis)' },
  ]);
  if (down.length > 0) throw new Error(down.join('\n'));
  const app = await createApp(config, logger);
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
  createLogger('users').error('failed to start', { err });
  process.exit(1);
});
