import { startStack, type Stack } from './support/stack';
import { ApiClient, addToCart, checkout, createProduct, logIn, signUp } from './support/client';

/**
 * A page of orders with their items' products and their users crosses all subgraphs.
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
    const api = new ApiClient(stack.url);
    const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
    const shopper = await signUp(api);
    const products = await Promise.all([0, 1, 2].map(() => createProduct(admin, { price: '1.50', stock: 1000 })));
    for (let i = 0; i < 50; i += 1) {
      await addToCart(shopper.client, products[i % 3].id, 1);
      await addToCart(shopper.client, products[(i + 1) % 3].id, 2);
      await checkout(shopper.client);
    }

    const query = `query($id: ID!, $first: Int!) {
      user(id: $id) {
        orders(first: $first) {
          totalCount
          edges { node { id total { amount } user { id email } items { quantity product { id name price { amount } } } payment { id } } }
        }
      }
    }`;
    const measure = async (first: number) => {
      const before = stack.queryCounts();
      const data = await admin.ok<{ user: { orders: { totalCount: number; edges: unknown[] } } }>(query, {
        id: shopper.userId,
        first,
      });
      const after = stack.queryCounts();
      expect(data.user.orders.totalCount).toBe(50);
      expect(data.user.orders.edges).toHaveLength(first);
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
});
