import { auditEntry, createLogger, EventBus, uuidv7, type AuditChange, type Caller, type EventEnvelope } from '@storegraph/common';
import { codes, unique, waitFor } from '@storegraph/common/testing';
import { UsersHarness } from '../support/users-harness';

const AUDIT = `query ($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id at action targetType targetId details actor { id email } } }
  }
}`;

interface AuditNode {
  id: string;
  at: string;
  action: string;
  targetType: string;
  targetId: string;
  details: string;
  actor: { id: string; email: string };
}
interface AuditPage {
  auditLog: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: AuditNode }> };
}

/** The combined log: entries other subgraphs publish as `<owner>.audit.recorded`, and its reading. */
describe('Query.auditLog and the audit consumer', () => {
  const adminEmail = `${unique('admin')}@example.com`;
  let users: UsersHarness;
  let bus: EventBus;
  let admin: Caller;

  beforeAll(async () => {
    users = await UsersHarness.start({ ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: 'admin password 123' });
    bus = await EventBus.connect({
      url: users.config.natsUrl,
      name: 'audit-test',
      namespace: users.config.natsNamespace,
      logger: createLogger('audit-test', 'error'),
    });
    const res = await users.call<{ login: { accessToken: string } }>(
      'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: adminEmail, p: 'admin password 123' },
    );
    admin = await users.callerOf(res.data!.login.accessToken);
  });
  afterAll(async () => {
    await bus?.close();
    await users?.stop();
  });

  /** What catalog's or orders' outbox relay would publish for one recordAudit call. */
  const publish = async (subject: 'catalog.audit.recorded' | 'orders.audit.recorded', change: Partial<AuditChange>, msgID = uuidv7()) => {
    const data = auditEntry({ actorId: admin.userId, action: 'product.updated', targetType: 'Product', targetId: uuidv7(), ...change });
    const envelope: EventEnvelope = { id: msgID, subject, version: 1, occurredAt: new Date().toISOString(), data };
    await bus.js.publish(bus.subject(subject), JSON.stringify(envelope), { msgID });
    return { data, envelope };
  };
  const log = async (variables: Record<string, unknown>, caller: Caller | null = admin) =>
    users.call<AuditPage>(AUDIT, variables, { caller });
  const appear = (targetId: string, count = 1) =>
    waitFor(async () => (await log({ filter: { targetId } })).data!.auditLog.totalCount === count, { what: `${count} entries of ${targetId}` });

  it('adds entries of catalog and orders to one log, once each however often they are delivered', async () => {
    const productId = uuidv7();
    const orderId = uuidv7();
    const product = await publish('catalog.audit.recorded', {
      action: 'product.updated',
      targetId: productId,
      before: { price: '10.00', name: 'Lamp' },
      after: { price: '12.50', name: 'Lamp' },
    });
    const order = await publish('orders.audit.recorded', {
      action: 'order.cancelled',
      targetType: 'Order',
      targetId: orderId,
      before: { status: 'CONFIRMED' },
      after: { status: 'CANCELLED' },
    });
    await appear(productId);
    await appear(orderId);
    // The same event delivered again (a redelivery, a relay and sweeper both publishing): still one entry.
    await bus.js.publish(bus.subject('catalog.audit.recorded'), JSON.stringify(product.envelope), { msgID: uuidv7() });
    await waitFor(
      async () =>
        (await users.sql<{ n: number }>('select count(*)::int as n from processed_events where event_id = ?', [product.envelope.id]))[0].n === 1,
      { what: 'the event to be processed' },
    );
    await new Promise((r) => setTimeout(r, 300));
    const page = (await log({ filter: { targetId: productId } })).data!.auditLog;
    expect(page.totalCount).toBe(1);
    expect(page.edges[0].node).toEqual({
      id: product.data.entryId,
      at: product.data.at,
      action: 'product.updated',
      targetType: 'Product',
      targetId: productId,
      // Only what changed is kept.
      details: JSON.stringify({ after: { price: '12.50' }, before: { price: '10.00' } }),
      actor: { id: admin.userId, email: adminEmail },
    });
    const [row] = await users.sql<{ source: string }>('select source from audit_entries where id = ?', [order.data.entryId]);
    expect(row.source).toBe('orders');
  });

  it('is newest first, filtered by action, actor and target, in pages with a total', async () => {
    const targetId = uuidv7();
    const other = await users.register(`${unique('other')}@example.com`);
    const published = [];
    for (const action of ['stock.set', 'stock.adjusted', 'stock.set']) {
      published.push((await publish('catalog.audit.recorded', { action, targetId, before: { onHand: 1 }, after: { onHand: 2 } })).data);
    }
    published.push((await publish('catalog.audit.recorded', { action: 'stock.set', targetId, actorId: other.user.id })).data);
    await appear(targetId, 4);

    const all = (await log({ filter: { targetId } })).data!.auditLog;
    expect(all.edges.map((e) => e.node.id)).toEqual(published.map((p) => p.entryId).reverse());

    const sets = (await log({ filter: { targetId, action: 'stock.set' } })).data!.auditLog;
    expect(sets.totalCount).toBe(3);
    const byOther = (await log({ filter: { targetId, actorId: other.user.id } })).data!.auditLog;
    expect(byOther.edges.map((e) => e.node.id)).toEqual([published[3].entryId]);
    const byAdmin = (await log({ filter: { actorId: admin.userId, action: 'stock.adjusted', targetId } })).data!.auditLog;
    expect(byAdmin.edges.map((e) => e.node.id)).toEqual([published[1].entryId]);

    const first = (await log({ filter: { targetId }, first: 3 })).data!.auditLog;
    expect(first).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true } });
    const rest = (await log({ filter: { targetId }, first: 3, after: first.pageInfo.endCursor })).data!.auditLog;
    expect(rest.edges.map((e) => e.node.id)).toEqual([published[0].entryId]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('is sent only the audit subject of CATALOG (no stock event to ignore); of ORDERS also the order news it emails', async () => {
    const catalog = await bus.jsm.consumers.info(bus.stream('CATALOG'), 'users');
    expect(catalog.config.filter_subject).toBe(bus.subject('catalog.audit.recorded'));
    // Five subjects of ORDERS (four order emails and the audit entries): nats-server 2.9
    // filters on one subject only, so this consumer reads the stream and skips the rest.
    const orders = await bus.jsm.consumers.info(bus.stream('ORDERS'), 'users');
    expect(orders.config.filter_subject ?? '').toBe('');
  });

  it('is for ADMIN only and refuses bad filters, cursors and page sizes', async () => {
    const customer = await users.register(`${unique('cust')}@example.com`);
    const caller = await users.callerOf(customer.accessToken);
    expect(codes(await log({}, caller))).toEqual(['FORBIDDEN']);
    expect(codes(await log({}, null))).toEqual(['UNAUTHENTICATED']);
    for (const filter of [{ actorId: 'not-a-uuid' }, { action: '  ' }, { targetId: '' }, { action: 'x'.repeat(201) }]) {
      expect(codes(await log({ filter }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await log({ after: 'nonsense' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await log({ first: 0 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await log({ first: 101 }))).toEqual(['BAD_USER_INPUT']);
  });

  it('cannot be changed or deleted: the API has no such mutation and the table refuses it', async () => {
    const res = await users.call<{ __schema: { mutationType: { fields: Array<{ name: string }> } } }>(
      '{ __schema { mutationType { fields { name } } } }',
    );
    expect(res.data!.__schema.mutationType.fields.map((f) => f.name).filter((name) => /audit/i.test(name))).toEqual([]);
    const { data } = await publish('catalog.audit.recorded', { targetId: uuidv7() });
    await appear(data.targetId);
    await expect(users.sql("update audit_entries set action = 'forged' where id = ?", [data.entryId])).rejects.toThrow(/cannot be changed/);
    await expect(users.sql('delete from audit_entries where id = ?', [data.entryId])).rejects.toThrow(/cannot be changed/);
  });
});
