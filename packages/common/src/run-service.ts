import { existsSync, readdirSync } from 'node:fs';
import { type Dependency, unreachable, withoutPassword } from './infra';
import { createLogger, type Logger } from './logger';
import { startTracing } from './tracing';

export interface Runnable {
  listen(): Promise<string>;
  stop(): Promise<void>;
}

/** Debian and Ubuntu keep one folder per installed PostgreSQL major version. */
function postgresStart(): string {
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql').sort() : [];
  return versions.length > 0 ? `pg_ctlcluster ${versions[versions.length - 1]} main start` : 'pg_ctl start';
}

/** Where each kind of infrastructure comes from, and how a developer starts it. */
const HINTS = {
  postgres: { name: 'PostgreSQL', hint: () => `${postgresStart()} (or: docker compose up -d postgres)` },
  redis: { name: 'Redis', hint: () => 'redis-server --daemonize yes (or: docker compose up -d redis)' },
  nats: { name: 'NATS', hint: () => 'nats-server -js (or: docker compose up -d nats)' },
} as const;

/** The infrastructure a service needs, with any password left out of what is logged. */
export function dependencies(urls: Partial<Record<keyof typeof HINTS, string>>): Dependency[] {
  return Object.entries(urls).map(([kind, url]) => {
    const { name, hint } = HINTS[kind as keyof typeof HINTS];
    return { name, hint: hint(), url: withoutPassword(url as string) };
  });
}

export interface RunServiceOptions<C> {
  name: string;
  readConfig: () => C;
  /** Checked before starting, so a missing database is named instead of hanging. */
  needs: (config: C) => Dependency[];
  start: (config: C, logger: Logger) => Promise<Runnable>;
}

/**
 * Every service's entry point: read the config (fail fast), check the infrastructure,
 * start, listen, and drain on SIGTERM/SIGINT. A failure to start says why and exits 1.
 */
export function runService<C>(options: RunServiceOptions<C>): void {
  const logger = createLogger(options.name);
  const main = async () => {
    const config = options.readConfig();
    // Before anything opens, so the first request is traced; null unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
    const tracing = startTracing(options.name);
    if (tracing) logger.info('tracing on', { endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT });
    const down = await unreachable(options.needs(config));
    if (down.length > 0) throw new Error(down.join('\n'));
    const app = await options.start(config, logger);
    await app.listen();
    const shutdown = (signal: string) => {
      logger.info('stopping', { signal });
      app
        .stop()
        .then(() => tracing?.stop())
        .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('stop failed', { err });
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  };
  main().catch((err: unknown) => {
    logger.error('failed to start', { err: err instanceof Error ? err : new Error(String(err)) });
    console.error(`${options.name} failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
