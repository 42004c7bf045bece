import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_IMAGE_LIMITS, DEFAULT_REVIEW_LIMITS, createApp as createCatalogApp, type CatalogApp } from '@storegraph/catalog';
import { createLogger, EnvReader, uuidv7, type Role } from '@storegraph/common';
import { createApp as createUsersApp, readConfig as readUsersConfig, type UsersApp } from '@storegraph/users';
import {
  dropNamespace, gatewayHeaders, postGraphQL, testDatabaseUrl, testNatsNamespace, testRedisPrefix, testSubgraphConfig, unique,
  type GraphQLResponse,
} from '@storegraph/common/testing';
import { createApp, readConfig, type OrdersApp, type OrdersConfig, type OrdersDeps } from '../../src/app';
import { HttpProductCatalog, type ProductCatalog } from '../../src/services/product-catalog';

/**
 * A running catalog (the real one: prices come from it), a running users (it announces
 * default addresses to orders; checkout asks it for a named address) and orders pointed
 * at both.
 */
export interface Harness {
  catalog: CatalogApp;
  catalogUrl: string;
  users: UsersApp;
  usersUrl: string;
  orders: OrdersApp;
  ordersUrl: string;
  /** What orders was started with: for a second instance on the same database and namespace. */
  config: OrdersConfig;
  secret: string;
  stop(): Promise<void>;
}

export interface HarnessOptions extends Pick<OrdersDeps, 'relay' | 'sweepIntervalMs'> {
  /**
   * A database of orders' own (storegraph_test_<name>). Test files run in parallel, and
   * every running relay publishes whatever its outbox holds into its own namespace:
   * a test that counts what orders emits must not share its outbox with another file.
   */
  database?: string;
  /** Settings of orders beyond the test infrastructure's (e.g. its rate limits). */
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // Catalog gets a namespace of its own: it never reacts to orders' events here, so each
  // test moves the saga on by hand and sees exactly the events it sent. It runs without
  // relay and expiry sweeper, which would otherwise drain and expire rows that catalog's
  // own tests (sharing its test database) are waiting for.
  const catalogNamespace = `${testNatsNamespace}cat`;
  const catalogConfig = {
    ...testSubgraphConfig('catalog', { NATS_NAMESPACE: catalogNamespace }),
    reservationTtlSeconds: 900,
    reservationSweepIntervalMs: 1000,
    images: DEFAULT_IMAGE_LIMITS,
    // Orders' tests write no reviews: catalog never calls users here.
    usersUrl: 'http://127.0.0.1:9/graphql',
    usersTimeoutMs: 1000,
    reviews: DEFAULT_REVIEW_LIMITS,
  };
  const catalog = await createCatalogApp(catalogConfig, { relay: false, expirySweeper: false });
  const catalogUrl = await catalog.listen(0);
  // Actors made by actor() are unknown to users: their checkouts find no address book.
  // Users shares orders' namespace: orders keeps the default addresses users announces.
  // Its order emails look up nothing here (the saga is moved by hand), so it asks no one.
  const nowhere = 'http://127.0.0.1:9/graphql';
  const users = await createUsersApp(
    readUsersConfig(
      new EnvReader({
        ...process.env,
        APP_MODE: 'development',
        USERS_DATABASE_URL: testDatabaseUrl('users'),
        REDIS_PREFIX: testRedisPrefix,
        NATS_NAMESPACE: testNatsNamespace,
        ORDERS_URL: nowhere,
        CATALOG_URL: nowhere,
        PAYMENTS_URL: nowhere,
        USERS_PORT: '0',
        MAIL_FOLDER: join(tmpdir(), 'storegraph-test-mail'),
        // Every registeredShopper() comes from one address.
        RATE_LIMIT_MULTIPLIER: '1000',
      }),
    ),
    createLogger('users', 'error'),
  );
  const usersUrl = await users.listen(0);
  // Read through orders' own readConfig (like common's testSubgraphConfig) so its settings apply.
  const config = readConfig(
    new EnvReader({
      ...process.env,
      APP_MODE: 'development',
      ORDERS_DATABASE_URL: testDatabaseUrl(options.database ?? 'orders'),
      REDIS_PREFIX: testRedisPrefix,
      NATS_NAMESPACE: testNatsNamespace,
      ORDERS_PORT: '0',
      CATALOG_URL: catalogUrl,
      USERS_URL: usersUrl,
      ...options.env,
    }),
  );
  const orders = await createApp(config, { relay: options.relay, sweepIntervalMs: options.sweepIntervalMs });
  const ordersUrl = await orders.listen(0);
  return {
    catalog,
    catalogUrl,
    users,
    usersUrl,
    orders,
    ordersUrl,
    config,
    secret: config.gatewaySecret,
    stop: async () => {
      await orders.stop();
      await catalog.stop();
      await users.stop();
      await dropNamespace(config.natsUrl, config.natsNamespace);
      await dropNamespace(config.natsUrl, catalogNamespace);
    },
  };
}

/** A second orders instance beside the harness's one, pricing through a wrapped real catalog adapter. */
export interface WrappedOrders<C extends ProductCatalog> {
  app: OrdersApp;
  url: string;
  catalog: C;
  stop(): Promise<void>;
}

/**
 * Orders on the harness's database and namespace whose price lookups go through
 * `wrap(real adapter)`: tests count or interleave the calls, and the catalog still answers
 * every one of them.
 */
export async function startWrappedOrders<C extends ProductCatalog>(h: Harness, wrap: (real: ProductCatalog) => C): Promise<WrappedOrders<C>> {
  const real = new HttpProductCatalog(h.catalogUrl);
  const catalog = wrap(real);
  const app = await createApp(h.config, { catalog });
  const url = await app.listen(0);
  return {
    app,
    url,
    catalog,
    stop: async () => {
      await app.stop();
      real.close();
    },
  };
}

export interface Actor {
  userId: string;
  headers: Record<string, string>;
}

/** Acts as the gateway: a signed identity assertion for a fresh (or given) user. */
export function actor(secret: string, role: Role = 'CUSTOMER', userId = uuidv7()): Actor {
  return { userId, headers: gatewayHeaders(secret, role, userId) };
}

export async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}, who?: Actor): Promise<GraphQLResponse<T>> {
  return postGraphQL<T>(url, query, variables, who?.headers ?? {});
}

/** Data or a thrown error with the response in it: for setup steps that must succeed. */
export async function ok<T>(url: string, query: string, variables: Record<string, unknown> = {}, who?: Actor): Promise<T> {
  const res = await gql<T>(url, query, variables, who);
  if (res.errors?.length || !res.data) throw new Error(`GraphQL failed: ${JSON.stringify(res.errors)}`);
  return res.data;
}

export async function createProduct(h: Harness, price: string, stock = 100): Promise<string> {
  const admin = actor(h.secret, 'ADMIN');
  const data = await ok<{ createProduct: { id: string } }>(
    h.catalogUrl,
    'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
    { input: { sku: unique('sku'), name: unique('product'), price, stock } },
    admin,
  );
  return data.createProduct.id;
}

export async function setPrice(h: Harness, productId: string, price: string): Promise<void> {
  await ok(
    h.catalogUrl,
    'mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }',
    { id: productId, input: { price } },
    actor(h.secret, 'ADMIN'),
  );
}

export const CART_FIELDS = 'items { product { id } quantity } subtotal { amount currency }';

export interface CartShape {
  items: Array<{ product: { id: string }; quantity: number }>;
  subtotal: { amount: string; currency: string };
}

export async function addToCart(h: Harness, who: Actor, productId: string, quantity: number): Promise<CartShape> {
  const data = await ok<{ addToCart: CartShape }>(
    h.ordersUrl,
    `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { ${CART_FIELDS} } }`,
    { p: productId, q: quantity },
    who,
  );
  return data.addToCart;
}

export const ORDER_FIELDS = `id status failureReason user { id } total { amount currency }
  items { product { id } quantity unitPrice { amount currency } } statusHistory { status at } createdAt`;

export interface OrderShape {
  id: string;
  status: string;
  failureReason: string | null;
  user: { id: string };
  total: { amount: string; currency: string };
  items: Array<{ product: { id: string }; quantity: number; unitPrice: { amount: string; currency: string } }>;
  statusHistory: Array<{ status: string; at: string }>;
  createdAt: string;
}

export const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) { ${ORDER_FIELDS} } }`;

/** Fills a fresh user's cart and checks out: an order of one line, placed by the real flow. */
export async function placeOrder(h: Harness, who: Actor, productId: string, quantity = 1): Promise<OrderShape> {
  await addToCart(h, who, productId, quantity);
  const data = await ok<{ checkout: OrderShape }>(h.ordersUrl, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, who);
  return data.checkout;
}

export const ADDRESS_FIELDS = 'name line1 line2 city region postalCode country phone';

export interface AddressShape {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
}

/** A user users knows (registered there), acting through signed identities as the gateway would. */
export async function registeredShopper(h: Harness): Promise<Actor> {
  const data = await ok<{ register: { user: { id: string } } }>(
    h.usersUrl,
    'mutation($input: RegisterInput!) { register(input: $input) { user { id } } }',
    { input: { email: `${unique('shopper')}@example.com`, password: 'correct horse battery', name: 'Shopper' } },
  );
  return actor(h.secret, 'CUSTOMER', data.register.user.id);
}

/** Saves an address in the shopper's address book at users; returns its id. */
export async function saveAddress(h: Harness, who: Actor, input: Record<string, unknown>): Promise<string> {
  const data = await ok<{ addAddress: { id: string } }>(
    h.usersUrl,
    'mutation($input: AddressInput!) { addAddress(input: $input) { id } }',
    { input },
    who,
  );
  return data.addAddress.id;
}
