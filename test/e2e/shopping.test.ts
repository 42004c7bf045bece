import { startStack, type Stack } from './support/stack';
import { ApiClient, addToCart, checkout, createProduct, logIn, signUp } from './support/client';
import { waitForSettled } from './support/invariants';

/**
 * The client's view of a purchase: sign up, browse, fill the cart, check out, and read
 * the confirmed order back with fields owned by all four subgraphs.
 */
describe('shopping through the gateway', () => {
  let stack: Stack;
  let api: ApiClient;
  let admin: ApiClient;

  beforeAll(async () => {
    stack = await startStack();
    api = new ApiClient(stack.url);
    admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
  });

  afterAll(() => stack?.stop());

  it('places an order priced by the catalog and reads it back across every subgraph', async () => {
    const shopper = await signUp(api, 'Ada');
    const { createCategory: category } = await admin.ok<{ createCategory: { id: string } }>(
      'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
      { input: { name: 'Teapots', slug: `teapots-${Date.now()}` } },
    );
    const teapot = await createProduct(admin, { price: '19.9', stock: 10, name: 'Cast iron teapot', categoryId: category.id });
    const cups = await createProduct(admin, { price: '4.25', stock: 3, name: 'Cup' });

    await addToCart(shopper.client, teapot.id, 1);
    await addToCart(shopper.client, cups.id, 2);
    await addToCart(shopper.client, teapot.id, 1);

    const { cart } = await shopper.client.ok<{ cart: unknown }>(
      '{ cart { items { quantity product { id name price { amount currency } } } subtotal { amount currency } } }',
    );
    expect(cart).toEqual({
      items: [
        { quantity: 2, product: { id: teapot.id, name: 'Cast iron teapot', price: { amount: '19.90', currency: 'USD' } } },
        { quantity: 2, product: { id: cups.id, name: 'Cup', price: { amount: '4.25', currency: 'USD' } } },
      ],
      subtotal: { amount: '48.30', currency: 'USD' },
    });

    const { checkout: placed } = await shopper.client.ok<{ checkout: { id: string; status: string } }>(
      'mutation { checkout(input: { paymentToken: "tok_visa" }) { id status } }',
    );
    expect(placed.status).toBe('PENDING');
    const orderId = placed.id;
    await waitForSettled(stack, [orderId]);
    const { order, cart: emptied } = await shopper.client.ok<{ order: Record<string, unknown>; cart: unknown }>(
      `query($id: ID!) {
        order(id: $id) {
          id status failureReason
          user { id email name }
          items { quantity unitPrice { amount currency } product { id name category { name } } }
          total { amount currency }
          statusHistory { status }
          payment { status amount { amount currency } order { id } }
        }
        cart { items { quantity } subtotal { amount } }
      }`,
      { id: orderId },
    );
    expect(order).toEqual({
      id: orderId,
      status: 'CONFIRMED',
      failureReason: null,
      user: { id: shopper.userId, email: shopper.email, name: 'Ada' },
      items: [
        {
          quantity: 2,
          unitPrice: { amount: '19.90', currency: 'USD' },
          product: { id: teapot.id, name: 'Cast iron teapot', category: { name: 'Teapots' } },
        },
        { quantity: 2, unitPrice: { amount: '4.25', currency: 'USD' }, product: { id: cups.id, name: 'Cup', category: null } },
      ],
      total: { amount: '48.30', currency: 'USD' },
      statusHistory: [{ status: 'PENDING' }, { status: 'RESERVED' }, { status: 'CONFIRMED' }],
      payment: { status: 'CAPTURED', amount: { amount: '48.30', currency: 'USD' }, order: { id: orderId } },
    });
    expect(emptied).toEqual({ items: [], subtotal: { amount: '0.00' } });

    const { me } = await shopper.client.ok<{ me: unknown }>(
      '{ me { id orders(first: 5) { totalCount edges { node { id status total { amount } } } } } }',
    );
    expect(me).toEqual({
      id: shopper.userId,
      orders: { totalCount: 1, edges: [{ node: { id: orderId, status: 'CONFIRMED', total: { amount: '48.30' } } }] },
    });
  });

  it('shows an order to its owner and ADMIN only', async () => {
    const owner = await signUp(api);
    const stranger = await signUp(api);
    const product = await createProduct(admin, { price: '1.00', stock: 5 });
    await addToCart(owner.client, product.id, 1);
    const orderId = await checkout(owner.client);
    const query = 'query($id: ID!) { order(id: $id) { id user { id } } }';

    expect((await stranger.client.request(query, { id: orderId })).data).toEqual({ order: null });
    expect((await api.request(query, { id: orderId })).data).toEqual({ order: null });
    expect((await admin.request(query, { id: orderId })).data).toEqual({ order: { id: orderId, user: { id: owner.userId } } });
  });

  it('serves /health and /ready', async () => {
    const base = stack.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });
});
