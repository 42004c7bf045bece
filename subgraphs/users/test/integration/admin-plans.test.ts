import { uuidv7 } from '@storegraph/common';
import { testDatabaseUrl } from '@storegraph/common/testing';
import { auditListStatements } from '../../src/services/audit-log.service';
import { userListStatements } from '../../src/services/user-admin.service';
import { UsersHarness } from '../support/users-harness';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/**
 * Query.users and Query.auditLog are served by indexes: the very statements the services
 * send, planned on 20,000 rows each, scan no table sequentially.
 */
describe('admin listings are index-served', () => {
  let users: UsersHarness;
  // Below about 50,000 accounts PostgreSQL rightly prefers scanning the small table to the
  // trigram indexes for a search's count; the plans asked for are those of a real store.
  const USERS = 100_000;
  const ENTRIES = 20_000;

  beforeAll(async () => {
    users = await UsersHarness.start({ USERS_DATABASE_URL: testDatabaseUrl('users_plans') });
    // Kept between runs (the database is this file's own): filled once.
    const [{ n }] = await users.sql<{ n: number }>('select count(*)::int as n from users');
    if (n < USERS) {
      await users.sql(
        `insert into users (id, email, name, role, password_hash, created_at)
         select gen_random_uuid(), 'plan-' || i || '@example.com', 'Person ' || md5(i::text), case when i % 500 = 0 then 'ADMIN' else 'CUSTOMER' end, 'x', now()
           from generate_series(?::int, ?::int) as i`,
        [n + 1, USERS],
      );
    }
    const [{ e }] = await users.sql<{ e: number }>('select count(*)::int as e from audit_entries');
    if (e < ENTRIES) {
      await users.sql(
        `insert into audit_entries (id, at, source, actor_id, action, target_type, target_id, details)
         select gen_random_uuid(), now(), 'catalog', gen_random_uuid(), 'action.' || (i % 40), 'Product', gen_random_uuid()::text, '{}'::jsonb
           from generate_series(1, ?::int) as i`,
        [ENTRIES - e],
      );
    }
    await users.sql('analyze users');
    await users.sql('analyze audit_entries');
  }, 180_000);
  afterAll(() => users.stop());

  async function plan(statement: { text: string; params: unknown[] }): Promise<PlanNode[]> {
    const rows = await users.sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (format json) ${statement.text}`, statement.params);
    return nodes(rows[0]['QUERY PLAN'][0].Plan);
  }
  const seqScans = (planned: PlanNode[]) => planned.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name']);
  const indexes = (planned: PlanNode[]) => planned.map((node) => node['Index Name']).filter(Boolean);
  const after = uuidv7();

  it.each([
    ['no filter', null, null],
    ['no filter, second page', null, after],
    ['search', { search: 'plan-1234' }, null],
    ['search in names', { search: 'c4ca4238a0' }, after],
    ['role', { role: 'ADMIN' as const }, null],
    ['role and search', { role: 'CUSTOMER' as const, search: 'plan-77' }, after],
  ])('Query.users: %s', async (_what, filter, afterId) => {
    const { page, count } = userListStatements(filter, afterId, 51);
    const planned = await plan(page);
    expect(seqScans(planned)).toEqual([]);
    expect(indexes(planned).length).toBeGreaterThan(0);
    if (filter) expect(seqScans(await plan(count))).toEqual([]);
  });

  it.each([
    ['no filter', null, null],
    ['action', { action: 'action.7' }, after],
    ['actor', { actorId: uuidv7() }, null],
    ['target', { targetId: uuidv7() }, after],
  ])('Query.auditLog: %s', async (_what, filter, afterId) => {
    const { page, count } = auditListStatements(filter, afterId, 51);
    const planned = await plan(page);
    expect(seqScans(planned)).toEqual([]);
    expect(indexes(planned).length).toBeGreaterThan(0);
    if (filter) expect(seqScans(await plan(count))).toEqual([]);
  });
});
