import WebSocket from 'ws';
import { createStoregraphClient, OrderStatusChangedDocument, type OrderStatus } from '@storegraph/sdk';
import { startStack, type Stack } from './support/stack';
import { addToCart, checkout, connect, createProduct, logIn, signUp } from './support/client';

/**
 * The SDK as a mobile app uses it for live order status: graphql-ws through the gateway,
 * the token in connection_init, events typed by the generated document.
 */
describe('SDK subscription through the gateway', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(() => stack?.stop());

  it('follows an order from PENDING to CONFIRMED with fields of every subgraph', async () => {
    const api = connect(stack.url);
    const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
    const product = await createProduct(admin, { price: '2.50', stock: 3, name: 'Live teapot' });
    const shopper = await signUp(api, 'Grace');
    await addToCart(shopper.client, product.id, 2);
    const orderId = await checkout(shopper.client);

    // Node 20 has no global WebSocket: the app injects one, as React Native or a browser would not need to.
    const live = createStoregraphClient({ url: stack.url, webSocketImpl: WebSocket, getToken: () => shopper.accessToken });
    const seen: Array<{ status: OrderStatus; product: string; user: string; payment: string | null }> = [];
    try {
      for await (const { orderStatusChanged: order } of live.subscribe(OrderStatusChangedDocument, { orderId })) {
        seen.push({ status: order.status, product: order.items[0].product.name, user: order.user.name, payment: order.payment?.status ?? null });
        if (order.status === 'CONFIRMED') break;
      }
    } finally {
      await live.dispose();
    }
    expect(seen.map((event) => event.status).slice(-1)).toEqual(['CONFIRMED']);
    expect(seen[seen.length - 1]).toEqual({ status: 'CONFIRMED', product: 'Live teapot', user: 'Grace', payment: 'CAPTURED' });
    // none skipped, in order, from wherever the order was when the subscription started
    const history = ['PENDING', 'RESERVED', 'CONFIRMED'];
    expect(history.slice(history.indexOf(seen[0].status))).toEqual(seen.map((event) => event.status));
  });

  it('refuses a bad token with UNAUTHENTICATED', async () => {
    const live = createStoregraphClient({
      url: stack.url,
      webSocketImpl: WebSocket,
      getToken: () => 'not-a-jwt',
      wsOptions: { retryAttempts: 0 },
    });
    try {
      const events = live.subscribe(OrderStatusChangedDocument, { orderId: '00000000-0000-0000-0000-000000000000' });
      await expect(events.next()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      await live.dispose();
    }
  });
});
