import { Client } from 'pg';

/** Drops a bench's own databases, so every run starts from empty ones (the stack makes them again). */
export async function dropDatabases(names: readonly string[]): Promise<void> {
  const admin = new Client({ connectionString: `${process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432'}/postgres` });
  await admin.connect();
  try {
    for (const name of names) await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}
