import { randomUUID } from 'node:crypto';
import type { SagaHarness } from './saga.harness';

/**
 * Purchases made the way the saga makes them: `orders.order.placed` (with the buyer) and
 * `payments.payment.captured` delivered to catalog, which sells the hold.
 */
export async function buy(h: SagaHarness, userId: string, productId: string): Promise<string> {
  const orderId = randomUUID();
  await h.deliver('orders.order.placed', { ...h.placed(orderId, [{ productId, quantity: 1 }]), userId });
  await h.deliver('payments.payment.captured', { orderId, paymentId: randomUUID(), amountMinor: 1000 });
  if ((await h.status(orderId)) !== 'SOLD') throw new Error(`order ${orderId} was not sold`);
  return orderId;
}

/** A placed order whose stock is held, not paid. */
export async function hold(h: SagaHarness, userId: string, productId: string): Promise<string> {
  const orderId = randomUUID();
  await h.deliver('orders.order.placed', { ...h.placed(orderId, [{ productId, quantity: 1 }]), userId });
  return orderId;
}

export const ADD_REVIEW = `mutation ($productId: ID!, $input: ReviewInput!) {
  addReview(productId: $productId, input: $input) { id authorName rating title body verifiedPurchase createdAt product { id rating { average count } } } }`;
export const DELETE_REVIEW = `mutation ($id: ID!) { deleteReview(id: $id) }`;
export const REVIEWS = `query ($id: ID!, $first: Int, $after: String) { product(id: $id) {
  rating { average count }
  reviews(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id authorName rating title } } } } }`;

export interface ReviewView {
  id: string;
  authorName: string;
  rating: number;
  title: string;
  body: string;
  verifiedPurchase: boolean;
  createdAt: string;
  product: { id: string; rating: { average: number | null; count: number } };
}

export const review = (rating: number, title = 'Solid', body = 'Does what it says.') => ({ rating, title, body });

/** The product's stored sum and count next to what its reviews add up to. */
export async function ratingTotals(h: SagaHarness, productId: string) {
  const [row] = await h.sql<{ rating_sum: number; rating_count: number; sum: number; count: number }>(
    `select p.rating_sum, p.rating_count, coalesce(sum(r.rating), 0)::int as sum, count(r.id)::int as count
       from products p left join reviews r on r.product_id = p.id where p.id = ? group by p.id`,
    [productId],
  );
  return row;
}
