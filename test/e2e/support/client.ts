import { bearer, postGraphQL, unique, type GraphQLResponse } from '@storegraph/common/testing';

/** A client of the public API, as a web or mobile app would hold one: a URL and maybe a token. */
export class ApiClient {
  constructor(readonly url: string, readonly token?: string) {}

  request<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    return postGraphQL<T>(this.url, query, variables, this.token ? bearer(this.token) : {});
  }

  /** Like request, but fails the test on any error: for steps that set the scene. */
  async ok<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await this.request<T>(query, variables);
    if (response.errors?.length || !response.data) {
      throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
    }
    return response.data;
  }

  as(token: string): ApiClient {
    return new ApiClient(this.url, token);
  }
}

export interface Session {
  client: ApiClient;
  userId: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

const AUTH_FIELDS = 'accessToken refreshToken expiresIn user { id email role }';

export async function signUp(api: ApiClient, name = 'Shopper'): Promise<Session> {
  const email = `${unique('shopper')}@storegraph.test`;
  const data = await api.ok<{ register: AuthResult }>(
    `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
    { input: { email, password: 'correct-horse-1', name } },
  );
  return toSession(api, data.register);
}

export async function logIn(api: ApiClient, email: string, password: string): Promise<Session> {
  const data = await api.ok<{ login: AuthResult }>(
    `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { ${AUTH_FIELDS} } }`,
    { email, password },
  );
  return toSession(api, data.login);
}

interface AuthResult {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
}

function toSession(api: ApiClient, auth: AuthResult): Session {
  return {
    client: api.as(auth.accessToken),
    userId: auth.user.id,
    email: auth.user.email,
    accessToken: auth.accessToken,
    refreshToken: auth.refreshToken,
  };
}

export async function createProduct(
  admin: ApiClient,
  input: { price: string; stock: number; name?: string; description?: string; categoryId?: string },
): Promise<{ id: string; sku: string }> {
  const sku = unique('SKU');
  const data = await admin.ok<{ createProduct: { id: string; sku: string } }>(
    'mutation($input: CreateProductInput!) { createProduct(input: $input) { id sku } }',
    { input: { sku, name: input.name ?? `Product ${sku}`, description: input.description ?? '', ...input } },
  );
  return data.createProduct;
}

export async function addToCart(client: ApiClient, productId: string, quantity: number): Promise<void> {
  await client.ok('mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { subtotal { amount } } }', {
    p: productId,
    q: quantity,
  });
}

export async function checkout(client: ApiClient, paymentToken = 'tok_visa', idempotencyKey?: string): Promise<string> {
  const data = await client.ok<{ checkout: { id: string } }>(
    'mutation($input: CheckoutInput!) { checkout(input: $input) { id } }',
    { input: { paymentToken, idempotencyKey } },
  );
  return data.checkout.id;
}
