import { randomUUID } from 'node:crypto';
import { codes } from './catalog.harness';
import { ADD_REVIEW, buy, DELETE_REVIEW, hold, ratingTotals, review, REVIEWS, type ReviewView } from './review.harness';
import { startSaga, type SagaHarness } from './saga.harness';

let h: SagaHarness;
beforeAll(async () => {
  h = await startSaga({ database: 'catalog_reviews', config: { reviews: { maxTitleLength: 20, maxBodyLength: 100 } } });
});
afterAll(async () => {
  await h?.stop();
});

/** A user the users subgraph knows, by name. */
function shopper(name = 'Ada L.'): string {
  const id = randomUUID();
  h.names.set(id, name);
  return id;
}

const addReview = (userId: string, productId: string, input: object) =>
  h.call<{ addReview: ReviewView }>(ADD_REVIEW, { productId, input }, h.asUser(userId));

describe('addReview', () => {
  it('lets a buyer of a paid order review: verified, named from users, counted in the rating', async () => {
    const product = await h.product(5);
    const buyer = shopper('Grace H.');
    await buy(h, buyer, product);
    const res = await addReview(buyer, product, review(4, '  Great mug ', 'Keeps coffee hot.'));
    expect(res.errors).toBeUndefined();
    expect(res.data?.addReview).toMatchObject({
      authorName: 'Grace H.',
      rating: 4,
      title: 'Great mug',
      body: 'Keeps coffee hot.',
      verifiedPurchase: true,
      product: { id: product, rating: { average: 4, count: 1 } },
    });
    expect(await ratingTotals(h, product)).toEqual({ rating_sum: 4, rating_count: 1, sum: 4, count: 1 });
  });

  it('refuses, changing nothing, without a paid order: none, only held, failed, or cancelled (FORBIDDEN)', async () => {
    const product = await h.product(10);
    const [none, held, failed, cancelled] = [shopper(), shopper(), shopper(), shopper()];
    await hold(h, held, product);
    const failedOrder = await hold(h, failed, product);
    await h.deliver('orders.order.failed', { orderId: failedOrder, reason: 'PAYMENT_DECLINED' });
    const cancelledOrder = await buy(h, cancelled, product);
    await h.deliver('orders.order.cancelled', { orderId: cancelledOrder });
    // Someone else's paid order of the product does not count for them.
    await buy(h, shopper(), product);

    for (const userId of [none, held, failed, cancelled]) {
      expect(codes(await addReview(userId, product, review(5)))).toEqual(['FORBIDDEN']);
    }
    expect(await ratingTotals(h, product)).toEqual({ rating_sum: 0, rating_count: 0, sum: 0, count: 0 });
  });

  it('allows one review per user and product (CONFLICT the second time, the first kept)', async () => {
    const product = await h.product(5);
    const buyer = shopper();
    await buy(h, buyer, product);
    await buy(h, buyer, product); // two paid orders still make one review
    expect((await addReview(buyer, product, review(2))).errors).toBeUndefined();
    expect(codes(await addReview(buyer, product, review(5)))).toEqual(['CONFLICT']);
    expect(await ratingTotals(h, product)).toEqual({ rating_sum: 2, rating_count: 1, sum: 2, count: 1 });
  });

  it('refuses bad input before anything is written (BAD_USER_INPUT)', async () => {
    const product = await h.product(5);
    const buyer = shopper();
    await buy(h, buyer, product);
    const bad = [review(0), review(6), review(3, '   '), review(3, 'ok', ' \n '), review(3, 'x'.repeat(21)), review(3, 'ok', 'y'.repeat(101))];
    for (const input of bad) expect(codes(await addReview(buyer, product, input))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await h.call(ADD_REVIEW, { productId: product, input: { rating: 2.5, title: 't', body: 'b' } }, h.asUser(buyer)))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(await ratingTotals(h, product)).toEqual({ rating_sum: 0, rating_count: 0, sum: 0, count: 0 });
    // The limits are the edges, not below them.
    expect((await addReview(buyer, product, review(3, 'x'.repeat(20), 'y'.repeat(100)))).errors).toBeUndefined();
  });

  it('needs a signed-in caller and a product that exists', async () => {
    const product = await h.product(5);
    expect(codes(await h.call(ADD_REVIEW, { productId: product, input: review(5) }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await addReview(shopper(), randomUUID(), review(5)))).toEqual(['NOT_FOUND']);
    expect(codes(await addReview(shopper(), 'not-an-id', review(5)))).toEqual(['NOT_FOUND']);
  });
});

describe('deleteReview', () => {
  async function reviewed(rating: number): Promise<{ product: string; author: string; id: string }> {
    const product = await h.product(5);
    const author = shopper();
    await buy(h, author, product);
    const res = await addReview(author, product, review(rating));
    return { product, author, id: res.data!.addReview.id };
  }

  it('by its author: gone, and out of the rating', async () => {
    const { product, author, id } = await reviewed(5);
    expect((await h.call(DELETE_REVIEW, { id }, h.asUser(author))).data).toEqual({ deleteReview: true });
    expect(await ratingTotals(h, product)).toEqual({ rating_sum: 0, rating_count: 0, sum: 0, count: 0 });
    // Deleting again: the review no longer exists.
    expect(codes(await h.call(DELETE_REVIEW, { id }, h.asUser(author)))).toEqual(['NOT_FOUND']);
    // The author may review again after deleting.
    expect((await addReview(author, product, review(1))).errors).toBeUndefined();
  });

  it('by an ADMIN', async () => {
    const { product, id } = await reviewed(3);
    expect((await h.call(DELETE_REVIEW, { id }, h.as('ADMIN'))).data).toEqual({ deleteReview: true });
    expect(await ratingTotals(h, product)).toEqual({ rating_sum: 0, rating_count: 0, sum: 0, count: 0 });
  });

  it('refuses anyone else (FORBIDDEN, review kept), unknown ids (NOT_FOUND) and anonymous callers', async () => {
    const { product, id } = await reviewed(4);
    expect(codes(await h.call(DELETE_REVIEW, { id }, h.asUser(shopper())))).toEqual(['FORBIDDEN']);
    expect(codes(await h.call(DELETE_REVIEW, { id }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.call(DELETE_REVIEW, { id: randomUUID() }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
    expect(codes(await h.call(DELETE_REVIEW, { id: 'nope' }, h.as('ADMIN')))).toEqual(['NOT_FOUND']);
    expect(await ratingTotals(h, product)).toEqual({ rating_sum: 4, rating_count: 1, sum: 4, count: 1 });
  });
});

describe('Product.reviews', () => {
  it('pages newest first with cursors; totalCount and rating over all of them', async () => {
    const product = await h.product(10);
    const ratings = [5, 4, 3, 2, 1];
    const ids: string[] = [];
    for (const [i, rating] of ratings.entries()) {
      const buyer = shopper(`Buyer ${i}`);
      await buy(h, buyer, product);
      ids.push((await addReview(buyer, product, review(rating, `Review ${i}`))).data!.addReview.id);
    }
    type Page = { product: { rating: { average: number; count: number }; reviews: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { id: string; authorName: string } }> } } };
    const first = await h.call<Page>(REVIEWS, { id: product, first: 2 });
    expect(first.data?.product.rating).toEqual({ average: 3, count: 5 });
    expect(first.data?.product.reviews.totalCount).toBe(5);
    expect(first.data?.product.reviews.edges.map((e) => e.node.id)).toEqual([ids[4], ids[3]]);
    expect(first.data?.product.reviews.edges[0].node.authorName).toBe('Buyer 4');
    const seen = [...first.data!.product.reviews.edges.map((e) => e.node.id)];
    let after = first.data!.product.reviews.pageInfo.endCursor;
    for (;;) {
      const page = await h.call<Page>(REVIEWS, { id: product, first: 2, after });
      seen.push(...page.data!.product.reviews.edges.map((e) => e.node.id));
      if (!page.data!.product.reviews.pageInfo.hasNextPage) break;
      after = page.data!.product.reviews.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    expect(codes(await h.call(REVIEWS, { id: product, first: 0 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await h.call(REVIEWS, { id: product, first: 2, after: 'garbage' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('an unreviewed product: no reviews, average null', async () => {
    const product = await h.product(1);
    const res = await h.call<{ product: { rating: unknown; reviews: { totalCount: number; edges: unknown[] } } }>(REVIEWS, { id: product });
    expect(res.data?.product).toEqual({
      rating: { average: null, count: 0 },
      reviews: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] },
    });
  });
});

describe('the rating under concurrency', () => {
  it('stays equal to the reviews table with many concurrent adds and deletions', async () => {
    const product = await h.product(100);
    const buyers = Array.from({ length: 40 }, (_, i) => shopper(`Racer ${i}`));
    for (const buyer of buyers) await buy(h, buyer, product);
    // The first half reviews first; then the second half adds while the first half deletes
    // (each deletion twice, by the author and by an ADMIN at once).
    const firstHalf = await Promise.all(buyers.slice(0, 20).map((b, i) => addReview(b, product, review((i % 5) + 1))));
    const ids = firstHalf.map((res) => res.data!.addReview.id);
    const results = await Promise.all([
      ...buyers.slice(20).map((b, i) => addReview(b, product, review(((i * 3) % 5) + 1))),
      ...ids.map((id, i) => h.call(DELETE_REVIEW, { id }, h.asUser(buyers[i]))),
      ...ids.map((id) => h.call(DELETE_REVIEW, { id }, h.as('ADMIN'))),
    ]);
    const errors = results.flatMap((res) => codes(res));
    // Of each pair of deletions one wins, the other finds nothing.
    expect(errors.every((code) => code === 'NOT_FOUND')).toBe(true);
    expect(errors).toHaveLength(20);
    const totals = await ratingTotals(h, product);
    expect(totals.count).toBe(20);
    expect(totals.rating_count).toBe(totals.count);
    expect(totals.rating_sum).toBe(totals.sum);
  });
});
