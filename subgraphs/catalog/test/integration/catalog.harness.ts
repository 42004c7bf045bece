import { createLogger, type Caller, type Role } from '@storegraph/common';
import { codes, dropNamespace, gatewayHeaders, postGraphQL, testDatabaseUrl, testSubgraphConfig, type GraphQLResponse } from '@storegraph/common/testing';
import { DEFAULT_IMAGE_LIMITS, DEFAULT_REVIEW_LIMITS, createApp, type CatalogApp, type CatalogAppOptions, type CatalogConfig, type UserDirectory } from '../../src/app';

/** One running catalog per test file, plus the gateway's side of the identity handshake. */
export interface Harness {
  app: CatalogApp;
  config: CatalogConfig;
  url: string;
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  as(role: Role): Record<string, string>;
  /** Headers of a signed-in user with this id (a CUSTOMER unless told). */
  asUser(userId: string, role?: Role): Record<string, string>;
  /**
   * The users subgraph as catalog sees it: display names by user id (a user not in the
   * map is unknown). The e2e tests use the real users subgraph.
   */
  names: Map<string, string>;
  /** Runs SQL directly, for state the API cannot produce (units reserved by the saga). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Stops the app and deletes this file's streams, so nothing is left on the NATS server. */
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /**
   * A database of the file's own (`storegraph_test_<name>`). Files that drive the saga
   * need one: an outbox relay publishes every unpublished row of its database to ITS
   * namespace, so two files sharing a database would steal each other's events.
   */
  database?: string;
  config?: Partial<Pick<CatalogConfig, 'reservationTtlSeconds' | 'reservationSweepIntervalMs' | 'images' | 'reviews'>>;
  /** Background work is off unless asked for: statement counts stay exact. */
  app?: CatalogAppOptions;
}

export async function startCatalog(options: HarnessOptions = {}): Promise<Harness> {
  const overrides: Record<string, string> = options.database ? { CATALOG_DATABASE_URL: testDatabaseUrl(options.database) } : {};
  const config: CatalogConfig = {
    ...testSubgraphConfig('catalog', overrides),
    reservationTtlSeconds: 900,
    reservationSweepIntervalMs: 100,
    images: DEFAULT_IMAGE_LIMITS,
    reviews: DEFAULT_REVIEW_LIMITS,
    usersUrl: 'http://127.0.0.1:9/graphql',
    usersTimeoutMs: 1000,
    ...options.config,
  };
  const names = new Map<string, string>();
  const users: UserDirectory = { displayNameOf: async (caller: Caller) => names.get(caller.userId) ?? null };
  const app = await createApp(config, {
    logger: createLogger('catalog', 'warn'),
    relay: false,
    expirySweeper: false,
    users,
    ...options.app,
  });
  const url = await app.listen(0);
  return {
    app,
    config,
    url,
    stop: async () => {
      await app.stop();
      await dropNamespace(config.natsUrl, config.natsNamespace);
    },
    call: (query, variables = {}, headers = {}) => postGraphQL(url, query, variables, headers),
    as: (role) => gatewayHeaders(config.gatewaySecret, role),
    asUser: (userId, role = 'CUSTOMER') => gatewayHeaders(config.gatewaySecret, role, userId),
    names,
    sql: (text, params = []) => app.database.orm.em.getConnection().execute(text, params),
  };
}

export { codes };

export const PRODUCT_FIELDS = `id sku name description price { amount currency } category { id name slug } stock createdAt`;

export interface ProductView {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: { amount: string; currency: string };
  category: { id: string; name: string; slug: string } | null;
  stock: number;
  createdAt: string;
}

export const CREATE_PRODUCT = `mutation ($input: CreateProductInput!) { createProduct(input: $input) { ${PRODUCT_FIELDS} } }`;
export const CREATE_CATEGORY = `mutation ($input: CreateCategoryInput!) { createCategory(input: $input) { id name slug } }`;

export async function createCategory(h: Harness, slug: string, name = slug): Promise<string> {
  const res = await h.call<{ createCategory: { id: string } }>(CREATE_CATEGORY, { input: { name, slug } }, h.as('ADMIN'));
  if (!res.data?.createCategory) throw new Error(`createCategory failed: ${JSON.stringify(res.errors)}`);
  return res.data.createCategory.id;
}

export interface NewProduct {
  sku: string;
  name?: string;
  description?: string;
  price?: string;
  categoryId?: string | null;
  stock?: number;
}

export async function createProduct(h: Harness, input: NewProduct): Promise<ProductView> {
  const res = await h.call<{ createProduct: ProductView }>(
    CREATE_PRODUCT,
    { input: { name: input.sku, price: '1.00', stock: 0, ...input } },
    h.as('ADMIN'),
  );
  if (!res.data?.createProduct) throw new Error(`createProduct failed: ${JSON.stringify(res.errors)}`);
  return res.data.createProduct;
}
