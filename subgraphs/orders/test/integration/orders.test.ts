import { uuidv7 } from '@storegraph/common';
import { codes } from '@storegraph/common/testing';
import { actor, createProduct, gql, ok, ORDER_FIELDS, placeOrder, startHarness, type Harness, type OrderShape } from '../support/harness';

let h: Harness;
let productId: string;
beforeAll(async () => {
  h = await startHarness();
  productId = await createProduct(h, '1.50');
});
afterAll(async () => {
  await h?.stop();
});

const ORDER = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelOrder(id: $id) { ${ORDER_FIELDS} } }`;
const USER_ORDERS = `query($r: [_Any!]!, $first: Int, $after: String) { _entities(representations: $r) {
  ... on User { id orders(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status } } } } } }`;

interface Connection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { id: string; status: string } }>;
}

async function setStatus(orderId: string, status: string, failureReason: string | null = null): Promise<void> {
  await h.orders.database.orm.em
    .fork()
    .execute('update orders set status = ?, failure_reason = ? where id = ?', [status, failureReason, orderId]);
}

/**
 * The outbox relay publishes on the connection whose statements are counted, right after
 * every checkout commits and on its sweeps. Tests that count a request's statements stop
 * it first (stop waits for the publication in flight); nothing later in this file needs
 * its events published.
 */
async function quietRelay(): Promise<void> {
  await h.orders.events.relay?.stop();
}

describe('order(id)', () => {
  it('shows the order to its owner and to ADMIN; null to other customers, anonymous callers and unknown ids', async () => {
    const owner = actor(h.secret);
    const placed = await placeOrder(h, owner, productId, 2);
    expect((await ok<{ order: OrderShape }>(h.ordersUrl, ORDER, { id: placed.id }, owner)).order).toEqual(placed);
    expect((await ok<{ order: OrderShape }>(h.ordersUrl, ORDER, { id: placed.id }, actor(h.secret, 'ADMIN'))).order).toEqual(placed);
    for (const [id, who] of [
      [placed.id, actor(h.secret)],
      [placed.id, undefined],
      [uuidv7(), owner],
      ['not-a-uuid', owner],
    ] as const) {
      const res = await gql<{ order: OrderShape | null }>(h.ordersUrl, ORDER, { id }, who);
      expect(res).toEqual({ data: { order: null } });
    }
  });
});

describe('User.orders', () => {
  it('lists a user\'s orders newest first, in pages, with totalCount', async () => {
    const me = actor(h.secret);
    const placed: string[] = [];
    for (let i = 0; i < 5; i += 1) placed.push((await placeOrder(h, me, productId)).id);
    const newestFirst = [...placed].reverse();
    const r = [{ __typename: 'User', id: me.userId }];
    const page1 = (await ok<{ _entities: Array<{ orders: Connection }> }>(h.ordersUrl, USER_ORDERS, { r, first: 2 }, me))._entities[0].orders;
    expect(page1.totalCount).toBe(5);
    expect(page1.edges.map((e) => e.node.id)).toEqual(newestFirst.slice(0, 2));
    expect(page1.pageInfo).toEqual({ hasNextPage: true, endCursor: page1.edges[1].cursor });
    const page2 = (await ok<{ _entities: Array<{ orders: Connection }> }>(h.ordersUrl, USER_ORDERS, { r, first: 2, after: page1.pageInfo.endCursor }, me))._entities[0].orders;
    expect(page2.edges.map((e) => e.node.id)).toEqual(newestFirst.slice(2, 4));
    const page3 = (await ok<{ _entities: Array<{ orders: Connection }> }>(h.ordersUrl, USER_ORDERS, { r, first: 2, after: page2.pageInfo.endCursor }, me))._entities[0].orders;
    expect(page3.edges.map((e) => e.node.id)).toEqual(newestFirst.slice(4));
    expect(page3.pageInfo.hasNextPage).toBe(false);
    // The default page size (20) covers them all; ADMIN sees the same list.
    const admin = (await ok<{ _entities: Array<{ orders: Connection }> }>(h.ordersUrl, USER_ORDERS, { r }, actor(h.secret, 'ADMIN')))._entities[0].orders;
    expect(admin.edges.map((e) => e.node.id)).toEqual(newestFirst);
  });

  it('loads a page of orders with their items in a constant number of queries', async () => {
    const me = actor(h.secret);
    for (let i = 0; i < 12; i += 1) await placeOrder(h, me, productId);
    const query = `query($r: [_Any!]!, $first: Int) { _entities(representations: $r) {
      ... on User { orders(first: $first) { totalCount edges { node { id items { quantity unitPrice { amount } } } } } } } }`;
    await quietRelay();
    const cost = async (first: number) => {
      const before = h.orders.database.queryCount();
      const res = await ok<{ _entities: Array<{ orders: { edges: Array<{ node: { items: unknown[] } }> } }> }>(
        h.ordersUrl, query, { r: [{ __typename: 'User', id: me.userId }], first }, me);
      expect(res._entities[0].orders.edges.filter((e) => e.node.items.length === 1)).toHaveLength(first);
      return h.orders.database.queryCount() - before;
    };
    const few = await cost(2);
    expect(few).toBeLessThanOrEqual(3); // orders page, count, items
    expect(await cost(12)).toBe(few);
  });

  it('is FORBIDDEN for another customer, UNAUTHENTICATED for anonymous, BAD_USER_INPUT outside 1..100 or for a foreign cursor', async () => {
    const me = actor(h.secret);
    const r = [{ __typename: 'User', id: me.userId }];
    expect(codes(await gql(h.ordersUrl, USER_ORDERS, { r }, actor(h.secret)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.ordersUrl, USER_ORDERS, { r }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(h.ordersUrl, USER_ORDERS, { r, first: 0 }, me))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(h.ordersUrl, USER_ORDERS, { r, first: 101 }, me))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(h.ordersUrl, USER_ORDERS, { r, after: 'garbage' }, me))).toEqual(['BAD_USER_INPUT']);
    const empty = await ok<{ _entities: Array<{ orders: Connection }> }>(h.ordersUrl, USER_ORDERS, { r, first: 100 }, me);
    expect(empty._entities[0].orders).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });
});

describe('cancelOrder', () => {
  it('cancels a PENDING order with history, and returns an already cancelled one unchanged', async () => {
    const me = actor(h.secret);
    const placed = await placeOrder(h, me, productId);
    const { cancelOrder } = await ok<{ cancelOrder: OrderShape }>(h.ordersUrl, CANCEL, { id: placed.id }, me);
    expect(cancelOrder).toEqual({
      ...placed,
      status: 'CANCELLED',
      statusHistory: [placed.statusHistory[0], { status: 'CANCELLED', at: expect.any(String) }],
    });
    const again = await ok<{ cancelOrder: OrderShape }>(h.ordersUrl, CANCEL, { id: placed.id }, me);
    expect(again.cancelOrder).toEqual(cancelOrder);
    expect((await ok<{ order: OrderShape }>(h.ordersUrl, ORDER, { id: placed.id }, me)).order).toEqual(cancelOrder);
  });

  it('cancels RESERVED and CONFIRMED orders, and lets ADMIN cancel any order', async () => {
    for (const status of ['RESERVED', 'CONFIRMED']) {
      const me = actor(h.secret);
      const placed = await placeOrder(h, me, productId);
      await setStatus(placed.id, status);
      const res = await ok<{ cancelOrder: OrderShape }>(h.ordersUrl, CANCEL, { id: placed.id }, actor(h.secret, 'ADMIN'));
      expect(res.cancelOrder.status).toBe('CANCELLED');
    }
  });

  it('refuses a FAILED order with CONFLICT and leaves it FAILED', async () => {
    const me = actor(h.secret);
    const placed = await placeOrder(h, me, productId);
    await setStatus(placed.id, 'FAILED', 'OUT_OF_STOCK');
    expect(codes(await gql(h.ordersUrl, CANCEL, { id: placed.id }, me))).toEqual(['CONFLICT']);
    const order = (await ok<{ order: OrderShape }>(h.ordersUrl, ORDER, { id: placed.id }, me)).order;
    expect([order.status, order.failureReason]).toEqual(['FAILED', 'OUT_OF_STOCK']);
  });

  it('answers other customers and unknown ids with NOT_FOUND, anonymous callers with UNAUTHENTICATED', async () => {
    const me = actor(h.secret);
    const placed = await placeOrder(h, me, productId);
    expect(codes(await gql(h.ordersUrl, CANCEL, { id: placed.id }, actor(h.secret)))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(h.ordersUrl, CANCEL, { id: uuidv7() }, me))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(h.ordersUrl, CANCEL, { id: 'nope' }, me))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(h.ordersUrl, CANCEL, { id: placed.id }))).toEqual(['UNAUTHENTICATED']);
    expect((await ok<{ order: OrderShape }>(h.ordersUrl, ORDER, { id: placed.id }, me)).order.status).toBe('PENDING');
  });

  it('lets exactly one of many concurrent cancels make the change', async () => {
    const me = actor(h.secret);
    const placed = await placeOrder(h, me, productId);
    const results = await Promise.all(Array.from({ length: 5 }, () => gql<{ cancelOrder: OrderShape }>(h.ordersUrl, CANCEL, { id: placed.id }, me)));
    expect(results.every((r) => r.data?.cancelOrder.status === 'CANCELLED')).toBe(true);
    const order = (await ok<{ order: OrderShape }>(h.ordersUrl, ORDER, { id: placed.id }, me)).order;
    expect(order.statusHistory.map((s) => s.status)).toEqual(['PENDING', 'CANCELLED']);
  });
});

describe('Order entities', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id status total { amount } items { product { id } quantity unitPrice { amount } } user { id } } } }`;

  async function queriesFor(ids: string[], who: ReturnType<typeof actor>): Promise<number> {
    await quietRelay();
    const before = h.orders.database.queryCount();
    const res = await ok<{ _entities: Array<{ id: string; items: unknown[] } | null> }>(
      h.ordersUrl,
      ENTITIES,
      { r: ids.map((id) => ({ __typename: 'Order', id })) },
      who,
    );
    expect(res._entities.map((o) => o?.id)).toEqual(ids);
    expect(res._entities.every((o) => o?.items.length === 1)).toBe(true);
    return h.orders.database.queryCount() - before;
  }

  it('resolves 30 orders with their items in as many queries as 3', async () => {
    const me = actor(h.secret);
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push((await placeOrder(h, me, productId)).id);
    const few = await queriesFor(ids.slice(0, 3), me);
    const many = await queriesFor(ids, me);
    expect(few).toBeLessThanOrEqual(2);
    expect(many).toBe(few);
  });

  it('returns null for orders the caller may not see', async () => {
    const me = actor(h.secret);
    const placed = await placeOrder(h, me, productId);
    const r = [{ __typename: 'Order', id: placed.id }, { __typename: 'Order', id: uuidv7() }];
    expect(await gql(h.ordersUrl, ENTITIES, { r }, actor(h.secret))).toEqual({ data: { _entities: [null, null] } });
    expect(await gql(h.ordersUrl, ENTITIES, { r })).toEqual({ data: { _entities: [null, null] } });
    const mine = await ok<{ _entities: Array<{ id: string } | null> }>(h.ordersUrl, ENTITIES, { r }, me);
    expect(mine._entities.map((o) => o?.id ?? null)).toEqual([placed.id, null]);
  });
});
