import { createLogger, unreachable } from '@storegraph/common';
import { createApp, readConfig } from './app';

const logger = createLogger('catalog');

async function main(): Promise<void> {
  const config = readConfig();
  // The probe needs host and port only; the message must not carry a password into logs.
  const shown = new URL(config.databaseUrl);
  shown.password = '';
  const nats = new URL(config.natsUrl);
  nats.password = '';
  const down = await unreachable([
    { name: 'PostgreSQL', url: shown.toString(), hint: 'sudo service postgresql start (or docker compose up -d postgres)' },
    { name: 'NATS', url: nats.toString(), hint: 'nats-server -js (or docker compose up -d nats)' },
  ]);
  if (down.length > 0) throw new Error(down.join('\n'));
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
  logger.error('failed to start', { err });
  process.exit(1);
});
