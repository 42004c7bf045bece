import { join, resolve } from 'node:path';
import { freeTcpPort, testDatabaseUrl, testNatsNamespace, testRedisPrefix, waitFor } from '@storegraph/common/testing';
import { CancelOrderDocument } from '@storegraph/sdk';
import { Child, waitUntilReady } from '../../scripts/children';
import { startStack, type Stack } from './support/stack';
import { addToCart, checkout, connect, createProduct, logIn, signUp } from './support/client';
import { follow, openSocket } from './support/live';


const ROOT = resolve(__dirname, '../..');

/**
 * Two gateways and two orders instances as separate processes (the built services, as
 * deployed), no sticky sessions: a change made through one reaches subscribers of the
 * other, because orders fans status changes out over NATS.
 */
describe('subscriptions across replicas', () => {
  let stack: Stack;
  const children: Child[] = [];
  let secondGateway = '';

  beforeAll(async () => {
    stack = await startStack();
    const [ordersPort, gatewayPort] = [await freeTcpPort(), await freeTcpPort()];
    const env = { ...process.env, APP_MODE: 'development', LOG_LEVEL: 'warn', NATS_NAMESPACE: testNatsNamespace, REDIS_PREFIX: testRedisPrefix };
    const orders = new Child('orders-2', join(ROOT, 'subgraphs/orders/dist/main.js'), {
      cwd: ROOT,
      colorIndex: 0,
      env: { ...env, ORDERS_PORT: String(ordersPort), ORDERS_DATABASE_URL: testDatabaseUrl('orders'), CATALOG_URL: stack.urls.catalog, USERS_URL: stack.urls.users },
    });
    children.push(orders);
    await waitUntilReady(orders, `http://localhost:${ordersPort}/ready`, 30_000);
    const gateway = new Child('gateway-2', join(ROOT, 'gateway/dist/main.js'), {
      cwd: ROOT,
      colorIndex: 1,
      env: {
        ...env,
        GATEWAY_PORT: String(gatewayPort),
        USERS_URL: stack.urls.users,
        CATALOG_URL: stack.urls.catalog,
        ORDERS_URL: `http://localhost:${ordersPort}/graphql`,
        PAYMENTS_URL: stack.urls.payments,
      },
    });
    children.push(gateway);
    await waitUntilReady(gateway, `http://localhost:${gatewayPort}/ready`, 30_000);
    secondGateway = `http://localhost:${gatewayPort}/graphql`;
  });

  afterAll(async () => {
    await Promise.all(children.map((child) => child.stop()));
    await stack?.stop();
  });

  it('delivers changes made through one gateway and orders instance to subscribers of the other', async () => {
    const admin = (await logIn(connect(stack.url), stack.admin.email, stack.admin.password)).client;
    const product = await createProduct(admin, { price: '3.00', stock: 10, name: 'Replica' });
    // The shopper talks to the second gateway only; its requests land on the second orders process.
    const shopper = await signUp(connect(secondGateway), 'Replica shopper');
    const token = shopper.accessToken;
    await addToCart(shopper.client, product.id, 1);
    const orderId = await checkout(shopper.client);

    const query = 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status statusHistory { status } } }';
    const onFirst = openSocket(stack.url, token);
    const onSecond = openSocket(secondGateway, token);
    const first = follow(onFirst, query, { id: orderId });
    const second = follow(onSecond, query, { id: orderId });
    const confirmed = (events: typeof first.events) =>
      events.some((e) => (e.data?.orderStatusChanged as { status: string } | undefined)?.status === 'CONFIRMED');
    await waitFor(() => confirmed(first.events) && confirmed(second.events), { timeoutMs: 15_000, what: 'CONFIRMED on both' });

    // Cancel through the second gateway (second orders process); the first gateway's subscriber hears it.
    await shopper.client.request(CancelOrderDocument, { id: orderId });
    await Promise.all([first.done, second.done]);
    await Promise.all([onFirst.client.dispose(), onSecond.client.dispose()]);
    for (const live of [first, second]) {
      const last = live.events.at(-1)?.data?.orderStatusChanged as { status: string; statusHistory: Array<{ status: string }> };
      expect(last.statusHistory.map((h) => h.status)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED']);
    }
  });
});
