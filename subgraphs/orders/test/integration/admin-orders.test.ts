import { uuidv7 } from '@storegraph/common';
import { codes } from '@storegraph/common/testing';
import { actor, createProduct, gql, ok, placeOrder, startHarness, type Actor, type Harness } from '../support/harness';

let h: Harness;
let productId: string;
let admin: Actor;
beforeAll(async () => {
  h = await startHarness({ database: 'orders_admin' });
  productId = await createProduct(h, '2.00', 10_000);
  admin = actor(h.secret, 'ADMIN');
});
afterAll(async () => {
  await h?.stop();
});

const ORDERS = `query($first: Int, $after: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status user { id } createdAt } } } }`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { id: string; status: string; user: { id: string }; createdAt: string } }>;
}

async function list(variables: Record<string, unknown>, who: Actor = admin): Promise<Page> {
  return (await ok<{ orders: Page }>(h.ordersUrl, ORDERS, variables, who)).orders;
}

/** Every page of a listing, following endCursor. */
async function all(filter: Record<string, unknown>, first: number): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await list({ first, after, filter });
    ids.push(...page.edges.map((e) => e.node.id));
    totals.push(page.totalCount);
    if (!page.pageInfo.hasNextPage) return { ids, totals };
    after = page.pageInfo.endCursor;
  }
}

async function setStatus(orderId: string, status: string): Promise<void> {
  await h.orders.database.orm.em.fork().execute("update orders set status = ?, failure_reason = case when ? = 'FAILED' then 'OUT_OF_STOCK' end where id = ?", [status, status, orderId]);
}

describe('Query.orders (ADMIN)', () => {
  // Orders of this run only: the database keeps earlier runs' rows, all placed before.
  let since: string;
  let alice: Actor;
  let bob: Actor;
  let placed: Array<{ id: string; userId: string; createdAt: string }>;

  beforeAll(async () => {
    since = new Date().toISOString();
    alice = actor(h.secret);
    bob = actor(h.secret);
    placed = [];
    for (let i = 0; i < 7; i += 1) {
      const who = i % 2 === 0 ? alice : bob;
      const order = await placeOrder(h, who, productId);
      placed.push({ id: order.id, userId: who.userId, createdAt: order.createdAt });
    }
    await setStatus(placed[1].id, 'FAILED');
    await setStatus(placed[4].id, 'FAILED');
  });

  it("lists every user's orders newest first, in keyset pages with totalCount", async () => {
    const newestFirst = [...placed].reverse().map((o) => o.id);
    const { ids, totals } = await all({ placedAfter: since }, 3);
    expect(ids).toEqual(newestFirst);
    expect(totals).toEqual([7, 7, 7]);
    const first = await list({ first: 2, filter: { placedAfter: since } });
    expect(first.edges.map((e) => e.node.user.id)).toEqual([placed[6].userId, placed[5].userId]);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[1].cursor });
  });

  it('filters by status, by user and by placement time (both bounds inclusive), alone and together', async () => {
    expect((await all({ placedAfter: since, status: 'FAILED' }, 1)).ids).toEqual([placed[4].id, placed[1].id]);
    expect((await all({ placedAfter: since, userId: alice.userId }, 2)).ids).toEqual([placed[6].id, placed[4].id, placed[2].id, placed[0].id]);
    expect((await all({ userId: bob.userId, status: 'PENDING' }, 5)).ids).toEqual([placed[5].id, placed[3].id]);
    const window = { placedAfter: placed[2].createdAt, placedBefore: placed[4].createdAt };
    const inWindow = await list({ first: 10, filter: window });
    expect(inWindow.edges.map((e) => e.node.id)).toEqual([placed[4].id, placed[3].id, placed[2].id]);
    expect(inWindow.totalCount).toBe(3);
    const one = { placedAfter: placed[3].createdAt, placedBefore: placed[3].createdAt };
    expect((await list({ filter: one })).edges.map((e) => e.node.id)).toEqual([placed[3].id]);
    expect(await list({ filter: { userId: uuidv7() } })).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it('refuses customers with FORBIDDEN and anonymous callers with UNAUTHENTICATED', async () => {
    expect(codes(await gql(h.ordersUrl, ORDERS, {}, actor(h.secret)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.ordersUrl, ORDERS, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses bad first, cursors, user ids, dates and an empty time range with BAD_USER_INPUT', async () => {
    for (const variables of [
      { first: 0 },
      { first: 101 },
      { after: 'not-a-cursor' },
      { filter: { userId: 'not-a-uuid' } },
      { filter: { placedAfter: 'yesterday' } },
      { filter: { placedBefore: '2030-13-45T00:00:00Z' } },
      { filter: { status: 'LOST' } },
      { filter: { placedAfter: '2030-01-02T00:00:00Z', placedBefore: '2030-01-01T00:00:00Z' } },
    ]) {
      expect({ variables, codes: codes(await gql(h.ordersUrl, ORDERS, variables, admin)) }).toEqual({ variables, codes: ['BAD_USER_INPUT'] });
    }
  });
});
