import { unique } from '@storegraph/common/testing';
import {
  AddToCartDocument,
  CheckoutDocument,
  createStoregraphClient,
  CreateProductDocument,
  LoginDocument,
  MeDocument,
  RegisterDocument,
  StoregraphError,
  type AuthPayloadFieldsFragment,
  type CreateProductInput,
  type ErrorCode,
  type ProductFieldsFragment,
  type StoregraphClient,
} from '@storegraph/sdk';

export type { StoregraphClient };

/** The SDK's client, as a web or mobile app would hold one: the gateway URL, maybe a token (and headers, e.g. a proxy's X-Forwarded-For). */
export function connect(url: string, token?: string, headers?: Record<string, string>): StoregraphClient {
  return createStoregraphClient({ url, getToken: () => token, headers });
}

/** The error codes an operation fails with; [] when it succeeds. */
export async function errorCodes(pending: Promise<unknown>): Promise<Array<ErrorCode | undefined>> {
  try {
    await pending;
    return [];
  } catch (error) {
    if (error instanceof StoregraphError) return error.codes;
    throw error;
  }
}

/** The StoregraphError an operation must fail with. */
export async function failure(pending: Promise<unknown>): Promise<StoregraphError> {
  try {
    await pending;
  } catch (error) {
    if (error instanceof StoregraphError) return error;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

export interface Session {
  client: StoregraphClient;
  userId: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

export async function signUp(api: StoregraphClient, name = 'Shopper'): Promise<Session> {
  const email = `${unique('shopper')}@storegraph.test`;
  const { register } = await api.request(RegisterDocument, { input: { email, password: 'correct-horse-1', name } });
  return toSession(api, register);
}

export async function logIn(api: StoregraphClient, email: string, password: string): Promise<Session> {
  const { login } = await api.request(LoginDocument, { email, password });
  return toSession(api, login);
}

function toSession(api: StoregraphClient, auth: AuthPayloadFieldsFragment): Session {
  return {
    client: connect(api.url, auth.accessToken),
    userId: auth.user.id,
    email: auth.user.email,
    accessToken: auth.accessToken,
    refreshToken: auth.refreshToken,
  };
}

export async function createProduct(
  admin: StoregraphClient,
  input: Omit<CreateProductInput, 'sku' | 'name'> & { name?: string },
): Promise<ProductFieldsFragment> {
  const sku = unique('SKU');
  const { createProduct: product } = await admin.request(CreateProductDocument, {
    input: { ...input, sku, name: input.name ?? `Product ${sku}`, description: input.description ?? '' },
  });
  return product;
}

export async function addToCart(client: StoregraphClient, productId: string, quantity: number): Promise<void> {
  await client.request(AddToCartDocument, { productId, quantity });
}

export async function checkout(client: StoregraphClient, paymentToken = 'tok_visa', idempotencyKey?: string): Promise<string> {
  const { checkout: order } = await client.request(CheckoutDocument, { input: { paymentToken, idempotencyKey } });
  return order.id;
}

/** HTTP status and error codes of `me` asked with `token` (200 and none when it answers). */
export async function meStatus(url: string, token: string): Promise<{ status: number; codes: Array<string | undefined> }> {
  try {
    await connect(url, token).request(MeDocument, {});
    return { status: 200, codes: [] };
  } catch (error) {
    if (!(error instanceof StoregraphError)) throw error;
    return { status: error.status ?? 0, codes: error.codes };
  }
}
