import { Client } from 'pg';
import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';
import { requestScope } from './log-context';

/** Creates the service's database when it is missing (idempotent, safe when raced). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Unusable database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name}"`).catch((err: { code?: string }) => {
        // 42P04: created meanwhile by another process; 23505: the same race seen via the catalog index
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * How long a request may wait on PostgreSQL before it is told the database is
 * unavailable, instead of hanging (knex's own default wait for a pool connection is 60 s).
 */
export interface DatabaseTimeouts {
  /** `DATABASE_ACQUIRE_TIMEOUT_MS`: waiting for a free pool connection, and for a new connection to open. */
  acquireMs: number;
  /** `DATABASE_STATEMENT_TIMEOUT_MS`: PostgreSQL cancels any one statement running longer (statement_timeout). */
  statementMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { acquireMs: 5000, statementMs: 15_000 };

export interface OrmOptions {
  url: string;
  entities: NonNullable<Options['entities']>;
  migrations: MigrationObject[];
  poolMax?: number;
  timeouts?: DatabaseTimeouts;
  debug?: boolean;
  /** false opens without applying migrations (scripts/migrate.ts --wait only looks at what is pending). */
  migrate?: boolean;
}

export interface Database {
  orm: MikroORM;
  /**
   * SQL statements sent while serving API requests (inside `requestScope`), since start.
   * Background work (outbox relay, consumers, sweepers) is not counted, so the N+1 tests
   * measure exactly what a query costs. Exported in /metrics.
   */
  queryCount(): number;
  /** Every SQL statement sent since start, background work included. */
  totalQueryCount(): number;
  close(): Promise<void>;
}

/** The advisory lock (per database) held while migrations are applied. */
export const MIGRATION_LOCK = 0x6d696772; // 'migr'

/**
 * Applies pending migrations holding a session advisory lock on a connection of its own,
 * so replicas starting at once take turns: the first applies them, the others wait and
 * then find nothing pending (two at once would both try the same CREATE TABLE, and one
 * fail its start). The Kubernetes Job makes this rare; `npm run start:cluster`,
 * docker-compose with replicas and a crash-looping pod do not.
 */
async function migrateAlone(orm: MikroORM, url: string, connectMs: number): Promise<void> {
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: connectMs });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await orm.getMigrator().up();
  } finally {
    // Ending the session releases the lock whatever happened.
    await lock.end().catch(() => undefined);
  }
}

/**
 * Opens the service's database: creates it if needed, applies the committed migrations
 * (never a schema sync), and counts statements. Entities and migrations are passed as
 * classes, not discovered from folders, so the same code runs compiled and under jest.
 */
export async function openDatabase(options: OrmOptions): Promise<Database> {
  await ensureDatabase(options.url);
  const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const orm = await MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: options.url,
    entities: options.entities,
    extensions: [Migrator],
    migrations: { migrationsList: options.migrations, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    allowGlobalContext: false,
    discovery: { disableDynamicFileAccess: true },
    pool: { min: 0, max: options.poolMax ?? 10 },
    // Merged into knex's config: its pool wait, and pg's connect timeout and statement_timeout
    // (sent as a startup parameter, so it holds on every connection, prepared statements included).
    driverOptions: {
      acquireConnectionTimeout: timeouts.acquireMs,
      connection: { connectionTimeoutMillis: timeouts.acquireMs, statement_timeout: timeouts.statementMs },
    },
    debug: options.debug ?? false,
  });
  let requests = 0;
  let total = 0;
  // knex emits 'query' synchronously in the caller's async context, so the scope is visible here.
  orm.em.getConnection().getKnex().on('query', () => {
    total += 1;
    if (requestScope.active()) requests += 1;
  });
  if (options.migrate !== false) {
    try {
      await migrateAlone(orm, options.url, timeouts.acquireMs);
    } catch (err) {
      await orm.close(true);
      throw err;
    }
  }
  return { orm, queryCount: () => requests, totalQueryCount: () => total, close: () => orm.close(true) };
}
