import { Client } from 'pg';
import { openDatabase, type Database } from '@storegraph/common';
import { testDatabaseUrl } from '@storegraph/common/testing';
import { entities } from '../../subgraphs/orders/src/entities';
import { migrations } from '../../subgraphs/orders/src/migrations';

/**
 * Replicas of one subgraph started at once against a database with migrations pending (no
 * migration Job in front of them): they take turns under the migration lock, so every
 * replica starts and each migration is applied once.
 */
const url = testDatabaseUrl('replicas_migrate');

async function dropDatabase(): Promise<void> {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

describe('replicas: migrations at start', () => {
  const opened: Database[] = [];

  beforeAll(dropDatabase);
  afterAll(async () => {
    for (const db of opened) await db.close();
    await dropDatabase();
  });

  it('three replicas starting at once all start, and apply each migration once', async () => {
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => openDatabase({ url, entities, migrations, poolMax: 2 })));
    for (const result of results) if (result.status === 'fulfilled') opened.push(result.value);
    expect(results.map((r) => (r.status === 'fulfilled' ? 'started' : String(r.reason)))).toEqual(['started', 'started', 'started']);
    const applied = await opened[0].orm.em.getConnection().execute<Array<{ name: string; n: string }>>(
      'select name, count(*) as n from mikro_orm_migrations group by name order by name',
    );
    expect(applied.map((row) => Number(row.n))).toEqual(migrations.map(() => 1));
  });
});
