import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AddReviewDocument,
  AddToWishlistDocument,
  CancelOrderDocument,
  DeleteReviewDocument,
  ProductDocument,
  ProductReviewsDocument,
  RemoveFromWishlistDocument,
  WishlistDocument,
} from '@storegraph/sdk';
import { waitFor } from '@storegraph/common/testing';
import { parse } from 'graphql';
import { addToCart, checkout, createProduct, errorCodes, signUp, type StoregraphClient } from './support/client';
import { waitForSettled } from './support/invariants';
import { startShop, type Stack } from './support/stack';

// The ADMIN view of someone's wishlist (the SDK's Wishlist query reads the caller's own).
const USER_WISHLIST = parse(`query ($id: ID!) { user(id: $id) { wishlist { totalCount edges { node { id } } } } }`) as TypedDocumentNode<
  { user: { wishlist: { totalCount: number; edges: Array<{ node: { id: string } }> } } | null },
  { id: string }
>;

/**
 * Reviews and wishlists as a shop uses them, through the gateway and the SDK: the saga's
 * sale is what lets a buyer review, and the author's name comes from the users subgraph.
 */
describe('reviews and wishlists through the gateway', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop());
  });

  afterAll(() => stack?.stop());

  /** Checks out one unit and waits for the saga: the order's final status. */
  async function buy(client: StoregraphClient, productId: string, paymentToken = 'tok_visa'): Promise<string | undefined> {
    await addToCart(client, productId, 1);
    const orderId = await checkout(client, paymentToken);
    return (await waitForSettled(stack, [orderId])).get(orderId);
  }

  it('buy, CONFIRMED, review: the rating shows on the product, under the buyer name users holds', async () => {
    const product = await createProduct(admin, { price: '12.00', stock: 10, name: 'Kettle' });
    const ada = await signUp(api, 'Ada Lovelace');
    const declined = await signUp(api, 'Declined Dan');
    const browser = await signUp(api, 'Window Shopper');
    const regretful = await signUp(api, 'Changed Mind');

    // Not bought yet, a declined (FAILED) order, or no order at all: FORBIDDEN.
    expect(await errorCodes(ada.client.request(AddReviewDocument, { productId: product.id, input: { rating: 5, title: 'Hi', body: 'Early' } }))).toEqual(['FORBIDDEN']);
    expect(await buy(declined.client, product.id, 'tok_chargeDeclined')).toBe('FAILED');
    // Paid, then cancelled (refunded): no longer a paid order.
    await addToCart(regretful.client, product.id, 1);
    const cancelledOrder = await checkout(regretful.client);
    expect((await waitForSettled(stack, [cancelledOrder])).get(cancelledOrder)).toBe('CONFIRMED');
    await regretful.client.request(CancelOrderDocument, { id: cancelledOrder });
    expect((await waitForSettled(stack, [cancelledOrder])).get(cancelledOrder)).toBe('CANCELLED');
    await waitFor(async () => (await stack.subgraphs.catalog.database.orm.em.getConnection().execute(
      `select 1 from reservations where order_id = ? and status = 'CANCELLED'`, [cancelledOrder])).length > 0, { what: 'the sale to be restocked' });
    for (const session of [declined, browser, regretful]) {
      expect(await errorCodes(session.client.request(AddReviewDocument, { productId: product.id, input: { rating: 1, title: 'No', body: 'No' } }))).toEqual(['FORBIDDEN']);
    }

    expect(await buy(ada.client, product.id)).toBe('CONFIRMED');
    const { addReview } = await ada.client.request(AddReviewDocument, {
      productId: product.id,
      input: { rating: 4, title: 'Boils fast', body: 'Quiet, too.' },
    });
    expect(addReview).toMatchObject({ authorName: 'Ada Lovelace', rating: 4, verifiedPurchase: true, product: { id: product.id, rating: { average: 4, count: 1 } } });
    expect(await errorCodes(ada.client.request(AddReviewDocument, { productId: product.id, input: { rating: 5, title: 'Again', body: 'Again' } }))).toEqual(['CONFLICT']);
    expect(await errorCodes(ada.client.request(AddReviewDocument, { productId: product.id, input: { rating: 6, title: 'Six', body: 'Six' } }))).toEqual(['BAD_USER_INPUT']);

    // Anyone, signed in or not, reads the review and the rating; nothing about the User.
    const { product: reviewed } = await api.request(ProductReviewsDocument, { productId: product.id });
    expect(reviewed?.rating).toEqual({ average: 4, count: 1 });
    expect(reviewed?.reviews.totalCount).toBe(1);
    expect(reviewed?.reviews.edges[0].node).toMatchObject({ id: addReview.id, authorName: 'Ada Lovelace', title: 'Boils fast' });
    expect((await api.request(ProductDocument, { id: product.id })).product?.rating).toEqual({ average: 4, count: 1 });

    // Only the author or an ADMIN deletes it.
    expect(await errorCodes(browser.client.request(DeleteReviewDocument, { id: addReview.id }))).toEqual(['FORBIDDEN']);
    expect(await ada.client.request(DeleteReviewDocument, { id: addReview.id })).toEqual({ deleteReview: true });
    expect((await api.request(ProductDocument, { id: product.id })).product?.rating).toEqual({ average: null, count: 0 });
  });

  it('a wishlist: idempotent, the owner sees it through me, an ADMIN through user(id)', async () => {
    const shopper = await signUp(api, 'Wanda');
    const [lamp, rug] = [await createProduct(admin, { name: 'Lamp', price: '30.00', stock: 1 }), await createProduct(admin, { name: 'Rug', price: '80.00', stock: 1 })];
    for (const id of [lamp.id, rug.id, lamp.id]) expect(await shopper.client.request(AddToWishlistDocument, { productId: id })).toEqual({ addToWishlist: true });
    const { me } = await shopper.client.request(WishlistDocument, {});
    expect(me?.wishlist.totalCount).toBe(2);
    expect(me?.wishlist.edges.map((e) => e.node.name)).toEqual(['Rug', 'Lamp']);

    expect(await shopper.client.request(RemoveFromWishlistDocument, { productId: rug.id })).toEqual({ removeFromWishlist: true });
    expect(await shopper.client.request(RemoveFromWishlistDocument, { productId: rug.id })).toEqual({ removeFromWishlist: true });
    const { user } = await admin.request(USER_WISHLIST, { id: shopper.userId });
    expect(user?.wishlist.edges.map((e) => e.node.id)).toEqual([lamp.id]);
    expect(await errorCodes(api.request(AddToWishlistDocument, { productId: lamp.id }))).toEqual(['UNAUTHENTICATED']);
  });
});
