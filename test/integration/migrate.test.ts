/**
 * scripts/migrate.ts, as the migration Job and the subgraph pods' initContainers run it:
 * `--wait` holds until the Job has applied everything, the Job applies every subgraph's
 * migrations, and an unknown name is refused before anything is touched. Runs the compiled
 * script (`npm test` builds first) on databases of its own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { testDatabaseUrl } from '@storegraph/common/testing';

const root = resolve(__dirname, '../..');
const script = resolve(root, 'scripts/dist/migrate.js');
const names = ['users', 'catalog', 'orders', 'payments'];
const urls = Object.fromEntries(names.map((name) => [`${name.toUpperCase()}_DATABASE_URL`, testDatabaseUrl(`migrate_${name}`)]));
const env = { ...process.env, ...urls };

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const url = new URL(testDatabaseUrl('x'));
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const databaseNames = names.map((name) => new URL(urls[`${name.toUpperCase()}_DATABASE_URL`]).pathname.slice(1));
const dropAll = () => admin(async (client) => {
  for (const db of databaseNames) await client.query(`drop database if exists "${db}" with (force)`);
});

function run(args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8', timeout: 60_000 });
}

beforeAll(dropAll);
afterAll(dropAll);

describe('scripts/migrate.ts', () => {
  it('refuses an unknown subgraph and touches nothing', async () => {
    const result = run(['--wait', 'inventory']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown: inventory');
    const found = await admin((client) => client.query('select datname from pg_database where datname = any($1)', [databaseNames]));
    expect(found.rowCount).toBe(0);
  });

  it('waits while migrations are pending, and lets the pods start once the Job has applied them', async () => {
    const waiting = spawn(process.execPath, [script, '--wait', 'orders'], { env });
    let output = '';
    waiting.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => waiting.once('exit', (code) => resolveExit(code)));
    // Still waiting after a while: nothing has been applied yet.
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still waiting'), 4000))]);
    expect(early).toBe('still waiting');
    expect(output).toMatch(/orders: waiting for the migration job \(pending: 0001-create-orders/);

    const job = run([]);
    expect(job.stderr).toBe('');
    expect(job.status).toBe(0);
    expect(job.stdout.trim().split('\n')).toEqual(names.map((name) => expect.stringMatching(new RegExp(`^${name}: migrated \\(postgres://`))));

    // The waiting pod sees it within its poll interval and exits 0.
    expect(await exited).toBe(0);
    expect(output).toContain('orders: migrations applied');
    const all = run(['--wait', ...names]);
    expect(all.status).toBe(0);
    // Applying again is a no-op.
    expect(run([]).status).toBe(0);
  }, 120_000);
});
