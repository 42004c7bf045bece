import { unique } from '@storegraph/common/testing';
import { ProductsDocument, UserDocument } from '@storegraph/sdk';
import { startStack, type Stack } from './support/stack';
import { addToCart, checkout, connect, createProduct, logIn, signUp } from './support/client';

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

  it('runs as many statements for 50 orders as for 5', async () => {
    const api = connect(stack.url);
    const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
    const shopper = await signUp(api);
    const products = await Promise.all([0, 1, 2].map(() => createProduct(admin, { price: '1.50', stock: 1000 })));
    for (let i = 0; i < 50; i += 1) {
      await addToCart(shopper.client, products[i % 3].id, 1);
      await addToCart(shopper.client, products[(i + 1) % 3].id, 2);
      await checkout(shopper.client);
    }

    // The SDK's User query: each order with its items' products (and categories), payment and user.
    const measure = async (first: number) => {
      const before = stack.queryCounts();
      const { user } = await admin.request(UserDocument, { id: shopper.userId, ordersFirst: first });
      const after = stack.queryCounts();
      expect(user?.orders.totalCount).toBe(50);
      expect(user?.orders.edges).toHaveLength(first);
      return {
        users: after.users - before.users,
        catalog: after.catalog - before.catalog,
        orders: after.orders - before.orders,
        payments: after.payments - before.payments,
      };
    };

    const few = await measure(5);
    const many = await measure(50);
    expect(many).toEqual(few);
    // and the constant is small: a handful per subgraph, not one per order
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

    // The SDK's Products query: each product with its category, images and rating.
    const measure = async (first: number) => {
      const before = stack.queryCounts();
      const { products } = await api.request(ProductsDocument, { first, filter: { search: word }, sort: 'PRICE_DESC' });
      const after = stack.queryCounts();
      expect(products.totalCount).toBe(50);
      expect(products.edges.map((e) => e.node.price.amount)).toEqual(Array.from({ length: first }, (_, i) => `${50 - i}.00`));
      expect(products.edges.every((e) => e.node.images.length === 2 && e.node.rating.count === 0)).toBe(true);
      return after.catalog - before.catalog;
    };

    const few = await measure(5);
    const many = await measure(50);
    expect(many).toBe(few);
    // the page and its count; no product has a category here, so no category batch
    expect(many).toBe(2);
  });
});
