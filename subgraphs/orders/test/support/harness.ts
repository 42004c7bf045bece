import { createApp as createCatalogApp, type CatalogApp } from '@storegraph/catalog';
import { IDENTITY_HEADER, signIdentity, uuidv7, type Role } from '@storegraph/common';
import { postGraphQL, testSubgraphConfig, unique, type GraphQLResponse } from '@storegraph/common/testing';
import { createApp, type OrdersApp } from '../../src/app';

/** A running catalog (the real one: prices come from it) and orders pointed at it. */
export interface Harness {
  catalog: CatalogApp;
  catalogUrl: string;
  orders: OrdersApp;
  ordersUrl: string;
  secret: string;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const catalogConfig = { ...testSubgraphConfig('catalog'), reservationTtlSeconds: 900 };
  const catalog = await createCatalogApp(catalogConfig);
  const catalogUrl = await catalog.listen(0);
  const config = testSubgraphConfig('orders', { CATALOG_URL: catalogUrl });
  const orders = await createApp({ ...config, catalogUrl });
  const ordersUrl = await orders.listen(0);
  return {
    catalog,
    catalogUrl,
    orders,
    ordersUrl,
    secret: config.gatewaySecret,
    stop: async () => {
      await orders.stop();
      await catalog.stop();
    },
  };
}

export interface Actor {
  userId: string;
  headers: Record<string, string>;
}

/** Acts as the gateway: a signed identity assertion for a fresh (or given) user. */
export function actor(secret: string, role: Role = 'CUSTOMER', userId = uuidv7()): Actor {
  const header = signIdentity(secret, {
    caller: { userId, role, tokenId: uuidv7(), tokenExpiresAt: Math.floor(Date.now() / 1000) + 900, familyId: uuidv7() },
    clientIp: '127.0.0.1',
  });
  return { userId, headers: { [IDENTITY_HEADER]: header } };
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
