import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { unique, waitFor } from '@storegraph/common/testing';
import { AddReviewDocument, OrdersDocument, ProductReviewsDocument, ProductsDocument, UserDocument } from '@storegraph/sdk';
import { parse } from 'graphql';
import { startStack, type Stack } from './support/stack';
import { addToCart, checkout, connect, createProduct, logIn, signUp } from './support/client';
import { waitForOrderEmails } from './support/emails';
import { waitForSettled } from './support/invariants';

// A product page with each product's rating and its newest reviews (and each review's product).
const PRODUCTS_WITH_REVIEWS = parse(`query ($first: Int!, $search: String!) {
  products(first: $first, filter: { search: $search }, sort: PRICE_DESC) {
    totalCount
    edges { node { id rating { average count } reviews(first: 3) { totalCount edges { node { authorName rating product { id } } } } } }
  } }`) as TypedDocumentNode<
  {
    products: {
      totalCount: number;
      edges: Array<{ node: { id: string; rating: { average: number | null; count: number }; reviews: { totalCount: number; edges: Array<{ node: { authorName: string; product: { id: string } } }> } } }>;
    };
  },
  { first: number; search: string }
>;

/**
 * A page of orders (or of products) with their items' products and their users crosses all subgraphs.
 * Each subgraph must answer its part with a fixed number of SQL statements, whatever
 * the number of orders: entity references are batched (DataLoader), never one per row.
 */
describe('N+1 through the gateway', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(() => stack?.stop());

  /** What `run` answers, and the SQL statements each subgraph ran meanwhile. */
  async function counted<T>(run: () => Promise<T>): Promise<[T, ReturnType<Stack['queryCounts']>]> {
    const before = stack.queryCounts();
    const result = await run();
    const after = stack.queryCounts();
    return [
      result,
      { users: after.users - before.users, catalog: after.catalog - before.catalog, orders: after.orders - before.orders, payments: after.payments - before.payments },
    ];
  }

  /**
   * ADMIN mutations write audit entries to catalog's outbox; the relay marks them published
   * a moment after they leave. Waits for that, so no marking lands in a measured window.
   */
  const outboxMarked = () =>
    waitFor(
      async () => {
        const [row] = await stack.subgraphs.catalog.database.orm.em
          .fork()
          .execute<Array<{ n: number }>>('select count(*)::int as n from outbox where published_at is null');
        return row.n === 0;
      },
      { what: "catalog's outbox marked published" },
    );

  it('runs as many statements for 50 orders as for 5', async () => {
    const api = connect(stack.url);
    const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
    const shopper = await signUp(api);
    const products = await Promise.all([0, 1, 2].map(() => createProduct(admin, { price: '1.50', stock: 1000 })));
    const orderIds: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      await addToCart(shopper.client, products[i % 3].id, 1);
      await addToCart(shopper.client, products[(i + 1) % 3].id, 2);
      orderIds.push(await checkout(shopper.client));
    }
    // Measure a quiet store: the saga done and its receipts sent (users' sender asks
    // orders, catalog and payments about each order it emails, which would count here).
    await waitForSettled(stack, orderIds, 60_000);
    await waitForOrderEmails(stack, orderIds);

    // The SDK's User query: each order with its items' products (and categories), payment and user.
    const measure = async (first: number) => {
      const [{ user }, statements] = await counted(() => admin.request(UserDocument, { id: shopper.userId, ordersFirst: first }));
      expect(user?.orders.totalCount).toBe(50);
      expect(user?.orders.edges).toHaveLength(first);
      return statements;
    };

    const few = await measure(5);
    const many = await measure(50);
    expect(many).toEqual(few);
    // and the constant is small: a handful per subgraph, not one per order
    for (const count of Object.values(many)) expect(count).toBeLessThanOrEqual(4);
  });

  it("runs as many statements for an ADMIN's page of 50 orders of many users as for 5", async () => {
    const api = connect(stack.url);
    const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
    const since = new Date().toISOString();
    const shoppers = await Promise.all([0, 1, 2, 3, 4].map((i) => signUp(api, `Buyer ${i}`)));
    const products = await Promise.all([0, 1, 2].map(() => createProduct(admin, { price: '2.25', stock: 1000 })));
    const placed: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      const shopper = shoppers[i % 5];
      await addToCart(shopper.client, products[i % 3].id, 1);
      await addToCart(shopper.client, products[(i + 1) % 3].id, 2);
      placed.push(await checkout(shopper.client));
    }
    await waitForSettled(stack, placed);
    // The receipts' lookups (users asks orders and catalog) must not count in the pages.
    await waitForOrderEmails(stack, placed);

    // The SDK's Orders query: each order with its user (email and name from users), items' products and payment.
    const measure = async (first: number) => {
      const [{ orders }, statements] = await counted(() => admin.request(OrdersDocument, { first, filter: { placedAfter: since } }));
      expect(orders.totalCount).toBe(50);
      expect(orders.edges.map((e) => e.node.id)).toEqual([...placed].reverse().slice(0, first));
      expect(orders.edges.every((e) => e.node.user.name.startsWith('Buyer ') && e.node.payment?.status === 'CAPTURED')).toBe(true);
      expect(new Set(orders.edges.map((e) => e.node.user.email)).size).toBe(5);
      return statements;
    };

    const few = await measure(5);
    const many = await measure(50);
    expect(many).toEqual(few);
    for (const count of Object.values(many)) expect(count).toBeLessThanOrEqual(4);
  });

  it('runs as many statements for a page of 50 products with images and ratings as for 5', async () => {
    const api = connect(stack.url);
    const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
    const word = `np${unique('w').replace(/[^a-z0-9]/g, '')}`;
    for (let i = 0; i < 50; i += 1) {
      const images = [{ url: `https://cdn.example.com/${i}.jpg`, alt: `Picture ${i}` }, { url: `https://cdn.example.com/${i}-b.jpg` }];
      await createProduct(admin, { name: `Lamp ${word} ${i}`, price: `${i + 1}.00`, stock: 1, images });
    }
    await outboxMarked();

    // The SDK's Products query: each product with its category, images and rating.
    const measure = async (first: number) => {
      const [{ products }, statements] = await counted(() => api.request(ProductsDocument, { first, filter: { search: word }, sort: 'PRICE_DESC' }));
      expect(products.totalCount).toBe(50);
      expect(products.edges.map((e) => e.node.price.amount)).toEqual(Array.from({ length: first }, (_, i) => `${50 - i}.00`));
      expect(products.edges.every((e) => e.node.images.length === 2 && e.node.rating.count === 0)).toBe(true);
      return statements.catalog;
    };

    const few = await measure(5);
    const many = await measure(50);
    expect(many).toBe(few);
    // the page with its count (one statement); no product has a category here, so no category batch
    expect(many).toBe(1);
  });

  it('runs as many statements for 50 products with their reviews, and for a page of 12 reviews, as for 5', async () => {
    const api = connect(stack.url);
    const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
    const word = `rv${unique('w').replace(/[^a-z0-9]/g, '')}`;
    const products: Array<{ id: string }> = [];
    for (let i = 0; i < 50; i += 1) products.push(await createProduct(admin, { name: `Mug ${word} ${i}`, price: `${i + 1}.00`, stock: 100 }));
    // Two buyers of every product, one order each; then each reviews every product.
    const buyers = [await signUp(api, 'First Buyer'), await signUp(api, 'Second Buyer')];
    const orders: string[] = [];
    for (const buyer of buyers) {
      for (const product of products) await addToCart(buyer.client, product.id, 1);
      orders.push(await checkout(buyer.client));
    }
    expect([...(await waitForSettled(stack, orders)).values()]).toEqual(['CONFIRMED', 'CONFIRMED']);
    await Promise.all(
      buyers.flatMap((buyer, b) =>
        products.map((product, i) =>
          buyer.client.request(AddReviewDocument, { productId: product.id, input: { rating: ((i + b) % 5) + 1, title: `Mug ${i}`, body: 'Fine.' } }),
        ),
      ),
    );
    // And twelve reviews of the dearest one, for a long page of reviews.
    const dearest = products[49];
    const more = await Promise.all(Array.from({ length: 10 }, (_, i) => signUp(api, `Fan ${i}`)));
    const fanOrders: string[] = [];
    for (const fan of more) {
      await addToCart(fan.client, dearest.id, 1);
      fanOrders.push(await checkout(fan.client));
    }
    await waitForSettled(stack, fanOrders);
    await Promise.all(more.map((fan) => fan.client.request(AddReviewDocument, { productId: dearest.id, input: { rating: 5, title: 'Love it', body: 'Yes.' } })));
    await waitForOrderEmails(stack, [...orders, ...fanOrders]);
    await outboxMarked();

    const measureProducts = async (first: number) => {
      const [{ products: page }, statements] = await counted(() => api.request(PRODUCTS_WITH_REVIEWS, { first, search: word }));
      expect(page.edges).toHaveLength(first);
      expect(page.edges.every((e) => e.node.rating.count >= 2 && e.node.reviews.edges.length >= 2)).toBe(true);
      expect(page.edges.every((e) => e.node.reviews.edges.every((r) => r.node.product.id === e.node.id))).toBe(true);
      return statements.catalog;
    };
    const fewProducts = await measureProducts(5);
    const manyProducts = await measureProducts(50);
    expect(manyProducts).toBe(fewProducts);
    // the page with its count, one batch of reviews for all products (each review's product: the loader, one)
    expect(manyProducts).toBe(3);

    const measureReviews = async (first: number) => {
      const [{ product }, statements] = await counted(() => api.request(ProductReviewsDocument, { productId: dearest.id, first }));
      expect(product?.reviews.totalCount).toBe(12);
      expect(product?.reviews.edges).toHaveLength(first);
      return statements.catalog;
    };
    const fewReviews = await measureReviews(5);
    const manyReviews = await measureReviews(12);
    expect(manyReviews).toBe(fewReviews);
    // the product and one statement for its page of reviews
    expect(manyReviews).toBe(2);
  });
});
