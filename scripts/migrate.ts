/**
 * Applies the committed migrations of every subgraph's database, or waits until they are
 * applied, without starting any service. A deployment runs the first once per release (the
 * Kubernetes migration Job) and the second in front of each subgraph replica (its
 * initContainer), so replicas never race each other to migrate and none serves a schema
 * older than its code:
 *   node scripts/dist/migrate.js [name ...]          apply (all four when no name is given)
 *   node scripts/dist/migrate.js --wait name [...]   exit 0 once nothing is pending
 * Reads the settings the subgraphs read: DATABASE_URL or <NAME>_DATABASE_URL and the
 * DATABASE_*_TIMEOUT_MS bounds. Services still migrate at start (a no-op after this),
 * so `npm start` and docker-compose need none of it.
 */
import type { MigrationObject } from '@mikro-orm/core';
import type { Options } from '@mikro-orm/postgresql';
import { DEFAULT_DATABASE_TIMEOUTS, EnvReader, openDatabase, readDatabaseUrl } from '@storegraph/common';

export const MIGRATED_SUBGRAPHS = ['users', 'catalog', 'orders', 'payments'] as const;

const WAIT_POLL_MS = 2000;

interface SubgraphDatabase {
  name: string;
  url: string;
  entities: NonNullable<Options['entities']>;
  migrations: MigrationObject[];
}

export interface MigrationSettings {
  databases: { name: string; url: string }[];
  timeouts: typeof DEFAULT_DATABASE_TIMEOUTS;
}

/** What the migration reads from its environment (scripts/check-manifests.ts holds the Job to it). */
export function readMigrationSettings(env: EnvReader, names: readonly string[] = MIGRATED_SUBGRAPHS): MigrationSettings {
  const settings = {
    databases: names.map((name) => ({ name, url: readDatabaseUrl(env, name) })),
    timeouts: {
      acquireMs: env.int('DATABASE_ACQUIRE_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.acquireMs, 100),
      // A migration may rewrite a big table: it is not bound by the request timeout.
      statementMs: 0,
    },
  };
  env.done();
  return settings;
}

/** Loaded by name from the built package (`@storegraph/<name>/dist/...`), as the service loads them. */
function subgraphDatabase(db: { name: string; url: string }): SubgraphDatabase {
  const { entities } = require(`@storegraph/${db.name}/dist/entities`) as { entities: SubgraphDatabase['entities'] };
  const { migrations } = require(`@storegraph/${db.name}/dist/migrations`) as { migrations: MigrationObject[] };
  return { ...db, entities, migrations };
}

function shown(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

async function pending(db: SubgraphDatabase, timeouts: typeof DEFAULT_DATABASE_TIMEOUTS, apply: boolean): Promise<string[]> {
  const database = await openDatabase({ ...db, timeouts, poolMax: 1, migrate: apply });
  try {
    return (await database.orm.getMigrator().getPendingMigrations()).map((migration) => migration.name);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const wait = argv[0] === '--wait';
  const names = wait ? argv.slice(1) : argv;
  const unknown = names.filter((name) => !(MIGRATED_SUBGRAPHS as readonly string[]).includes(name));
  if (unknown.length > 0 || (wait && names.length === 0)) {
    console.error(`usage: migrate.js [--wait] [${MIGRATED_SUBGRAPHS.join(' | ')} ...]${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
    return 2;
  }
  const { databases: urls, timeouts } = readMigrationSettings(new EnvReader(), names.length > 0 ? names : MIGRATED_SUBGRAPHS);
  const databases = urls.map(subgraphDatabase);

  for (const db of databases) {
    if (!wait) {
      const left = await pending(db, timeouts, true);
      if (left.length > 0) throw new Error(`${db.name}: still pending after migrating: ${left.join(', ')}`);
      console.log(`${db.name}: migrated (${shown(db.url)})`);
      continue;
    }
    let said = '';
    for (;;) {
      // Until the Job has run, the database may not even answer yet: keep asking.
      const state = await pending(db, timeouts, false).then(
        (left) => (left.length === 0 ? null : `pending: ${left.join(', ')}`),
        (err: unknown) => `not reachable: ${err instanceof Error ? err.message : String(err)}`,
      );
      if (state === null) break;
      if (state !== said) console.log(`${db.name}: waiting for the migration job (${state})`);
      said = state;
      await new Promise((resolveSleep) => setTimeout(resolveSleep, WAIT_POLL_MS));
    }
    console.log(`${db.name}: migrations applied`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
