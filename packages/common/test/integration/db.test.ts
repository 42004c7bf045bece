import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { openDatabase, requestScope } from '../../src';
import { testDatabaseUrl } from '../../src/testing';

@Entity({ tableName: 'probe' })
class Probe {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  label!: string;
}

class CreateProbe extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table if not exists probe (id uuid primary key, label text not null)');
  }
}

describe('openDatabase', () => {
  it('creates the database, applies listed migrations once, and counts request statements apart', async () => {
    const url = testDatabaseUrl('common_probe');
    const migrations = [{ name: 'CreateProbe', class: CreateProbe }];
    const first = await openDatabase({ url, entities: [Probe], migrations });
    await first.close();
    const db = await openDatabase({ url, entities: [Probe], migrations });
    try {
      const em = db.orm.em.fork();
      const before = { request: db.queryCount(), total: db.totalQueryCount() };
      const count = await requestScope.run(() => em.count(Probe, {}));
      expect(count).toBeGreaterThanOrEqual(0);
      await em.count(Probe, {}); // background work: counted in the total only
      expect(db.queryCount()).toBe(before.request + 1);
      expect(db.totalQueryCount()).toBe(before.total + 2);
      const applied = await db.orm.getMigrator().getExecutedMigrations();
      expect(applied.map((m) => m.name)).toEqual(['CreateProbe']);
    } finally {
      await db.close();
    }
  });
});
