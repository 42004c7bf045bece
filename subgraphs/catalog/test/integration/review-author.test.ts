import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpUserDirectory } from '../../src/services/user-directory';
import { codes } from './catalog.harness';
import { ADD_REVIEW, buy, ratingTotals, review } from './review.harness';
import { startSaga, type SagaHarness } from './saga.harness';

/**
 * The author name comes from the users subgraph at write time. When users cannot answer,
 * addReview is SERVICE_UNAVAILABLE (safe to retry) and writes nothing. (The name itself,
 * through the real users subgraph, is proved by test/e2e/reviews.test.ts.)
 */
let h: SagaHarness;
let usersDown: Server;
let status = 503;
let seenIdentity: string | undefined;
beforeAll(async () => {
  // A stand-in users subgraph that answers only with `status`, recording what it was sent.
  usersDown = createServer((req, res) => {
    seenIdentity = req.headers['x-storegraph-identity'] as string | undefined;
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  await new Promise<void>((resolve) => usersDown.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(usersDown.address() as AddressInfo).port}/graphql`;
  h = await startSaga({ database: 'catalog_review_author', app: { users: new HttpUserDirectory(url, 'x', 500) } });
});
afterAll(async () => {
  await h?.stop();
  await new Promise((resolve) => usersDown?.close(resolve));
});

it('answers SERVICE_UNAVAILABLE, writing nothing, while users is down or overloaded', async () => {
  const product = await h.product(5);
  const buyer = randomUUID();
  await buy(h, buyer, product);
  for (const answer of [503, 502, 504]) {
    status = answer;
    const res = await h.call(ADD_REVIEW, { productId: product, input: review(5) }, h.asUser(buyer));
    expect(codes(res)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(JSON.stringify(res.errors)).not.toContain('127.0.0.1');
  }
  // It asked as the caller: an identity assertion was sent.
  expect(seenIdentity).toMatch(/^[\w-]+\.[\w-]+$/);
  expect(await ratingTotals(h, product)).toEqual({ rating_sum: 0, rating_count: 0, sum: 0, count: 0 });
  expect(await h.sql('select 1 from reviews where product_id = ?', [product])).toHaveLength(0);
});

it('answers SERVICE_UNAVAILABLE when users refuses connections', async () => {
  const product = await h.product(5);
  const buyer = randomUUID();
  await buy(h, buyer, product);
  const closed = new HttpUserDirectory('http://127.0.0.1:9/graphql', 'x', 500);
  await expect(closed.displayNameOf({ userId: buyer, role: 'CUSTOMER', tokenId: randomUUID(), tokenExpiresAt: 0, familyId: randomUUID() })).rejects.toMatchObject({
    extensions: { code: 'SERVICE_UNAVAILABLE' },
  });
  closed.close();
});
