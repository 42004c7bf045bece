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
  // A stack that fails halfway (a database refusing connections) stops what it started:
  // a users left running would go on claiming other stacks' emails from the shared table.
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    return await assembleStack(options, started);
  } catch (err) {
    for (const app of started.reverse()) await app.stop().catch(() => undefined);
    throw err;
  }
}

async function assembleStack(options: StackOptions, started: Array<{ stop(): Promise<void> }>): Promise<Stack> {
  const track = <T extends { stop(): Promise<void> }>(app: T): T => {
    started.push(app);
    return app;
  };
  const testEnv = (service: string) => ({ ...serviceEnv(service), ...options.env });
  const admin = { email: `${unique('admin')}@storegraph.test`, password: 'admin-password-1' };
  // Users asks orders, catalog and payments about an order it emails, but starts first
  // (catalog and orders need its URL). Every service listens on a port the kernel picks
  // as it binds, and users learns the other three URLs once they listen: its sender reads
  // them at each lookup. (Ports chosen ahead and bound later can be taken meanwhile.)
  const usersConfig = users.readConfig(
    new EnvReader({ ...testEnv('users'), ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password }),
  );
  const usersApp = track(await users.createApp(usersConfig));
  const usersUrl = await usersApp.listen(0);
  const catalogApp = track(await catalog.createApp(catalog.readConfig(new EnvReader({ ...testEnv('catalog'), USERS_URL: usersUrl }))));
  const catalogUrl = await catalogApp.listen(0);
  const ordersApp = track(
    await orders.createApp(orders.readConfig(new EnvReader({ ...testEnv('orders'), CATALOG_URL: catalogUrl, USERS_URL: usersUrl }))),
  );
  const paymentsApp = track(
    await payments.createApp(payments.readConfig(new EnvReader(testEnv('payments'))), {
      provider: options.paymentProvider,
    }),
  );
  const ordersUrl = await ordersApp.listen(0);
  const paymentsUrl = await paymentsApp.listen(0);
  Object.assign(usersConfig.orderEmails, { catalogUrl, ordersUrl, paymentsUrl });

  const gatewayApp = track(
    await gateway.createApp(
      gateway.readConfig(gatewayEnv({ users: usersUrl, catalog: catalogUrl, orders: ordersUrl, payments: paymentsUrl }, options.env)),
    ),
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
      // Users first: its order-email sender would otherwise find the others gone mid-round.
      await usersApp.stop();
      await Promise.all([catalogApp, ordersApp, paymentsApp].map((app) => app.stop()));
      await dropNamespace(options.env?.NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222', testNatsNamespace);
    },
  };
}

/** Environment of a gateway under test in front of the subgraphs at `urls`. */
export function gatewayEnv(urls: Stack['urls'], env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...env,
    APP_MODE: 'development',
    REDIS_PREFIX: testRedisPrefix,
    // Its read cache follows this run's catalog events.
    NATS_NAMESPACE: testNatsNamespace,
    USERS_URL: urls.users,
    CATALOG_URL: urls.catalog,
    ORDERS_URL: urls.orders,
    PAYMENTS_URL: urls.payments,
  };
}

/** Environment of one subgraph under test: its test database, this run's Redis prefix and NATS namespace. */
export function serviceEnv(service: string): NodeJS.ProcessEnv {
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
