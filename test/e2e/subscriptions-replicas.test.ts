import { join, resolve } from 'node:path';
import { bearer, postGraphQL, testDatabaseUrl, testNatsNamespace, testRedisPrefix, unique, waitFor } from '@storegraph/common/testing';
import { Child, waitUntilReady } from '../../scripts/children';
import { startStack, type Stack } from './support/stack';
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
    const base = 14_500 + (process.pid % 400);
    const env = { ...process.env, APP_MODE: 'development', LOG_LEVEL: 'warn', NATS_NAMESPACE: testNatsNamespace, REDIS_PREFIX: testRedisPrefix };
    const orders = new Child('orders-2', join(ROOT, 'subgraphs/orders/dist/main.js'), {
      cwd: ROOT,
      colorIndex: 0,
      env: { ...env, ORDERS_PORT: String(base), ORDERS_DATABASE_URL: testDatabaseUrl('orders'), CATALOG_URL: stack.urls.catalog },
    });
    children.push(orders);
    await waitUntilReady(orders, `http://localhost:${base}/ready`, 30_000);
    const gateway = new Child('gateway-2', join(ROOT, 'gateway/dist/main.js'), {
      cwd: ROOT,
      colorIndex: 1,
      env: {
        ...env,
        GATEWAY_PORT: String(base + 1),
        USERS_URL: stack.urls.users,
        CATALOG_URL: stack.urls.catalog,
        ORDERS_URL: `http://localhost:${base}/graphql`,
        PAYMENTS_URL: stack.urls.payments,
      },
    });
    children.push(gateway);
    await waitUntilReady(gateway, `http://localhost:${base + 1}/ready`, 30_000);
    secondGateway = `http://localhost:${base + 1}/graphql`;
  });

  afterAll(async () => {
    await Promise.all(children.map((child) => child.stop()));
    await stack?.stop();
  });

  async function gql<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
    const response = await postGraphQL<T>(url, query, variables, token ? bearer(token) : {});
    if (response.errors?.length || !response.data) throw new Error(JSON.stringify(response.errors));
    return response.data;
  }

  it('delivers changes made through one gateway and orders instance to subscribers of the other', async () => {
    const admin = await gql<{ login: { accessToken: string } }>(
      stack.url,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: stack.admin.email, p: stack.admin.password },
    );
    const { createProduct } = await gql<{ createProduct: { id: string } }>(
      stack.url,
      'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { sku: unique('REPL'), name: 'Replica', price: '3.00', stock: 10 } },
      admin.login.accessToken,
    );
    const { register } = await gql<{ register: { accessToken: string } }>(
      secondGateway,
      'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
      { input: { email: `${unique('repl')}@storegraph.test`, password: 'replica-pass-1', name: 'R' } },
    );
    const token = register.accessToken;
    await gql(secondGateway, 'mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { subtotal { amount } } }', { p: createProduct.id }, token);
    const { checkout } = await gql<{ checkout: { id: string } }>(
      secondGateway,
      'mutation { checkout(input: { paymentToken: "tok_visa" }) { id } }',
      {},
      token,
    );

    const query = 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status statusHistory { status } } }';
    const onFirst = openSocket(stack.url, token);
    const onSecond = openSocket(secondGateway, token);
    const first = follow(onFirst, query, { id: checkout.id });
    const second = follow(onSecond, query, { id: checkout.id });
    const confirmed = (events: typeof first.events) =>
      events.some((e) => (e.data?.orderStatusChanged as { status: string } | undefined)?.status === 'CONFIRMED');
    await waitFor(() => confirmed(first.events) && confirmed(second.events), { timeoutMs: 15_000, what: 'CONFIRMED on both' });

    // Cancel through the second gateway (second orders process); the first gateway's subscriber hears it.
    await gql(secondGateway, 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: checkout.id }, token);
    await Promise.all([first.done, second.done]);
    await Promise.all([onFirst.client.dispose(), onSecond.client.dispose()]);
    for (const live of [first, second]) {
      const last = live.events.at(-1)?.data?.orderStatusChanged as { status: string; statusHistory: Array<{ status: string }> };
      expect(last.statusHistory.map((h) => h.status)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED']);
    }
  });
});
