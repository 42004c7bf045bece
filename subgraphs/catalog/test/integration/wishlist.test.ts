import { randomUUID } from 'node:crypto';
import { unique } from '@storegraph/common/testing';
import { codes, createProduct, startCatalog, type Harness } from './catalog.harness';

let h: Harness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => {
  await h?.stop();
});

const ADD = `mutation ($id: ID!) { addToWishlist(productId: $id) }`;
const REMOVE = `mutation ($id: ID!) { removeFromWishlist(productId: $id) }`;
// How the gateway asks catalog for User.wishlist: by the User's key.
const WISHLIST = `query ($r: [_Any!]!, $first: Int, $after: String) { _entities(representations: $r) { ... on User {
  wishlist(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id sku } } } } } }`;

interface WishlistPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { id: string; sku: string } }>;
}

const wishlistOf = (userId: string, headers: Record<string, string>, first?: number, after?: string | null) =>
  h.call<{ _entities: Array<{ wishlist: WishlistPage } | null> }>(WISHLIST, { r: [{ __typename: 'User', id: userId }], first, after }, headers);

async function ids(userId: string): Promise<string[]> {
  const res = await wishlistOf(userId, h.asUser(userId), 100);
  expect(res.errors).toBeUndefined();
  return res.data!._entities[0]!.wishlist.edges.map((e) => e.node.id);
}

const product = async () => (await createProduct(h, { sku: unique('WISH') })).id;

describe('wishlist', () => {
  it('adding twice keeps one entry; removing an absent product is still true', async () => {
    const user = randomUUID();
    const [mug, lamp] = [await product(), await product()];
    for (const id of [mug, mug, lamp, mug]) expect((await h.call(ADD, { id }, h.asUser(user))).data).toEqual({ addToWishlist: true });
    // Newest saved first; a repeated add keeps the first position.
    expect(await ids(user)).toEqual([lamp, mug]);
    expect((await h.call(REMOVE, { id: mug }, h.asUser(user))).data).toEqual({ removeFromWishlist: true });
    expect((await h.call(REMOVE, { id: mug }, h.asUser(user))).data).toEqual({ removeFromWishlist: true });
    expect((await h.call(REMOVE, { id: randomUUID() }, h.asUser(user))).data).toEqual({ removeFromWishlist: true });
    expect(await ids(user)).toEqual([lamp]);
  });

  it('concurrent adds of the same product keep one entry', async () => {
    const user = randomUUID();
    const mug = await product();
    const results = await Promise.all(Array.from({ length: 10 }, () => h.call(ADD, { id: mug }, h.asUser(user))));
    expect(results.flatMap((res) => codes(res))).toEqual([]);
    expect(await ids(user)).toEqual([mug]);
  });

  it('refuses unknown products (NOT_FOUND, nothing saved) and anonymous callers', async () => {
    const user = randomUUID();
    expect(codes(await h.call(ADD, { id: randomUUID() }, h.asUser(user)))).toEqual(['NOT_FOUND']);
    expect(codes(await h.call(ADD, { id: 'nope' }, h.asUser(user)))).toEqual(['NOT_FOUND']);
    expect(codes(await h.call(ADD, { id: await product() }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.call(REMOVE, { id: await product() }))).toEqual(['UNAUTHENTICATED']);
    expect(await ids(user)).toEqual([]);
  });

  it('is visible to its owner and to ADMIN only', async () => {
    const owner = randomUUID();
    const mug = await product();
    await h.call(ADD, { id: mug }, h.asUser(owner));
    expect((await wishlistOf(owner, h.as('ADMIN'))).data?._entities[0]?.wishlist.edges.map((e) => e.node.id)).toEqual([mug]);
    const other = await wishlistOf(owner, h.asUser(randomUUID()));
    expect(codes(other)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(other.data)).not.toContain(mug);
    expect(codes(await wishlistOf(owner, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('pages with cursors, newest saved first, totalCount over all', async () => {
    const user = randomUUID();
    const saved: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const id = await product();
      saved.push(id);
      await h.call(ADD, { id }, h.asUser(user));
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await wishlistOf(user, h.asUser(user), 2, after);
      const page: WishlistPage = res.data!._entities[0]!.wishlist;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...saved].reverse());
    expect(codes(await wishlistOf(user, h.asUser(user), 101))).toEqual(['BAD_USER_INPUT']);
  });
});
