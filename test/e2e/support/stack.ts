import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvReader } from '@storegraph/common';
import { dropNamespace, testNatsNamespace, testRedisPrefix, testSubgraphConfig, unique } from '@storegraph/common/testing';
import * as users from '@storegraph/users';
import * as catalog from '@storegraph/catalog';
import * as orders from '@storegraph/orders';
import * as payments from '@storegraph/payments';
import * as gateway from '@storegraph/gateway';
import { connect, logIn, type StoregraphClient } from './client';

/**
 * The whole system in this test process: four subgraphs on their own test databases
 * and free ports, and the gateway in front of them, exactly as `npm start` wires them
 * (the same createApp functions), so end-to-end tests see what a client sees.
 */
export interface Stack {
  url: string;
  gateway: gateway.GatewayApp;
  /** Each subgraph's HTTP endpoint, for a second gateway or a second instance. */
  urls: Record<'users' | 'catalog' | 'orders' | 'payments', string>;
  admin: { email: string; password: string };
  subgraphs: {
    users: users.UsersApp;
    catalog: catalog.CatalogApp;
    orders: orders.OrdersApp;
    payments: payments.PaymentsApp;
  };
  /** SQL statements each subgraph has sent so far. */
  queryCounts(): Record<'users' | 'catalog' | 'orders' | 'payments', number>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Settings for every service, e.g. RESERVATION_TTL_SECONDS or PAYMENT_TEST_DELAY_MS. */
  env?: Record<string, string>;
  /** The provider payments charges through (default: the one PAYMENT_PROVIDER names); fault tests pass one that loses answers. */
  paymentProvider?: payments.PaymentProvider;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const testEnv = (service: string) => ({ ...serviceEnv(service), ...options.env });
  const admin = { email: `${unique('admin')}@storegraph.test`, password: 'admin-password-1' };
  const usersApp = await users.createApp(
    users.readConfig(
      new EnvReader({ ...testEnv('users'), ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password }),
    ),
  );
  const usersUrl = await usersApp.listen(0);
  const catalogApp = await catalog.createApp(catalog.readConfig(new EnvReader({ ...testEnv('catalog'), USERS_URL: usersUrl })));
  const catalogUrl = await catalogApp.listen(0);
  const ordersApp = await orders.createApp(
    orders.readConfig(new EnvReader({ ...testEnv('orders'), CATALOG_URL: catalogUrl, USERS_URL: usersUrl })),
  );
  const paymentsApp = await payments.createApp(payments.readConfig(new EnvReader(testEnv('payments'))), {
    provider: options.paymentProvider,
  });
  const ordersUrl = await ordersApp.listen(0);
  const paymentsUrl = await paymentsApp.listen(0);

  const gatewayApp = await gateway.createApp(
    gateway.readConfig({
      ...process.env,
      ...options.env,
      APP_MODE: 'development',
      REDIS_PREFIX: testRedisPrefix,
      USERS_URL: usersUrl,
      CATALOG_URL: catalogUrl,
      ORDERS_URL: ordersUrl,
      PAYMENTS_URL: paymentsUrl,
    }),
  );
  const url = await gatewayApp.listen(0);
  const subgraphs = { users: usersApp, catalog: catalogApp, orders: ordersApp, payments: paymentsApp };
  return {
    url,
    gateway: gatewayApp,
    urls: { users: usersUrl, catalog: catalogUrl, orders: ordersUrl, payments: paymentsUrl },
    admin,
    subgraphs,
    queryCounts: () => ({
      users: usersApp.database.queryCount(),
      catalog: catalogApp.database.queryCount(),
      orders: ordersApp.database.queryCount(),
      payments: paymentsApp.database.queryCount(),
    }),
    stop: async () => {
      await gatewayApp.stop();
      await Promise.all(Object.values(subgraphs).map((app) => app.stop()));
      await dropNamespace(options.env?.NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222', testNatsNamespace);
    },
  };
}

/** Environment of one subgraph under test: its test database, this run's Redis prefix and NATS namespace. */
function serviceEnv(service: string): NodeJS.ProcessEnv {
  const config = testSubgraphConfig(service);
  return {
    ...process.env,
    APP_MODE: 'development',
    REDIS_PREFIX: testRedisPrefix,
    NATS_NAMESPACE: testNatsNamespace,
    MAIL_FOLDER: join(tmpdir(), 'storegraph-test-mail'),
    [`${service.toUpperCase()}_DATABASE_URL`]: config.databaseUrl,
  };
}

export interface Shop {
  stack: Stack;
  /** An anonymous client of the gateway. */
  api: StoregraphClient;
  /** A client signed in as the stack's ADMIN. */
  admin: StoregraphClient;
}

/** A stack and the two clients most tests start from. */
export async function startShop(options: StackOptions = {}): Promise<Shop> {
  const stack = await startStack(options);
  const api = connect(stack.url);
  const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
  return { stack, api, admin };
}
