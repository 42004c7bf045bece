import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import WebSocket, { WebSocketServer } from 'ws';
import {
  AddToCartDocument,
  CartDocument,
  CategoriesDocument,
  createStoregraphClient,
  LoginDocument,
  OrderDocument,
  OrderStatusChangedDocument,
  ProductsDocument,
  StoregraphError,
  type FetchLike,
  type OrderFieldsFragment,
  type OrderStatus,
} from '@storegraph/sdk';
import { apiSchemaSdl } from '../../codegen';
import manifest from '../../packages/sdk/src/generated/persisted-documents.json';

/** The SDK client against a scripted `fetch` and a real graphql-ws server: what goes out, what comes back. */

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** A fetch that records each request and answers from a script, in order. */
function scriptedFetch(...answers: Array<{ status?: number; body: unknown }>): { fetch: FetchLike; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    sent.push({ url, headers: init.headers, body: JSON.parse(init.body) as Record<string, unknown> });
    const answer = answers.shift();
    if (!answer) throw new Error('no scripted answer left');
    const status = answer.status ?? 200;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return { ok: status < 300, status, text: async () => text };
  };
  return { fetch, sent };
}

const hashOf = (document: unknown): string => {
  const meta: unknown = typeof document === 'object' && document !== null && '__meta__' in document ? document.__meta__ : undefined;
  if (typeof meta !== 'object' || meta === null || !('hash' in meta) || typeof meta.hash !== 'string') throw new Error('no hash');
  return meta.hash;
};
const texts: Record<string, string> = manifest;

describe('SDK client over HTTP', () => {
  const url = 'http://gateway.test/graphql';

  it('posts the manifest text, variables and the bearer token, and resolves to data', async () => {
    const { fetch, sent } = scriptedFetch({ body: { data: { categories: [{ id: '1', name: 'Teapots', slug: 'teapots' }] } } });
    const client = createStoregraphClient({ url, fetch, getToken: async () => 'token-1' });
    const data = await client.request(CategoriesDocument);
    expect(data.categories[0].slug).toBe('teapots');
    expect(sent).toEqual([
      {
        url,
        headers: expect.objectContaining({ authorization: 'Bearer token-1', 'content-type': 'application/json' }),
        body: { query: texts[hashOf(CategoriesDocument)], operationName: 'Categories', variables: {} },
      },
    ]);
  });

  it('sends no authorization header without a token', async () => {
    const { fetch, sent } = scriptedFetch({ body: { data: { products: { totalCount: 0, pageInfo: {}, edges: [] } } } });
    await createStoregraphClient({ url, fetch, getToken: () => null }).request(ProductsDocument, { first: 5, filter: { inStock: true } });
    expect(sent[0].headers.authorization).toBeUndefined();
    expect(sent[0].body.variables).toEqual({ first: 5, filter: { inStock: true } });
  });

  it('rejects with StoregraphError carrying every code and retryAfterSeconds', async () => {
    const { fetch } = scriptedFetch({
      body: {
        data: null,
        errors: [
          { message: 'Too many attempts', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 42 } },
          { message: 'Nope', path: ['login'], extensions: { code: 'UNAUTHENTICATED' } },
        ],
      },
    });
    const error = await createStoregraphClient({ url, fetch })
      .request(LoginDocument, { email: 'a@b.test', password: 'wrong-password' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoregraphError);
    if (!(error instanceof StoregraphError)) return;
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.codes).toEqual(['RATE_LIMITED', 'UNAUTHENTICATED']);
    expect(error.retryAfterSeconds).toBe(42);
    expect(error.has('UNAUTHENTICATED')).toBe(true);
    expect(error.errors[1].path).toEqual(['login']);
    expect(error.message).toBe('RATE_LIMITED: Too many attempts (and 1 more)');
  });

  it('turns an answer that is not GraphQL, and a network failure, into StoregraphError', async () => {
    const { fetch } = scriptedFetch({ status: 502, body: '<html>Bad gateway</html>' });
    await expect(createStoregraphClient({ url, fetch }).request(CartDocument)).rejects.toMatchObject({
      name: 'StoregraphError',
      status: 502,
      errors: [],
    });
    const down: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(createStoregraphClient({ url, fetch: down }).request(CartDocument)).rejects.toThrow('Network error: fetch failed');
  });

  it('types variables from the document: optional ones may be left out, required ones not', () => {
    const client = createStoregraphClient({ url, fetch: scriptedFetch().fetch });
    // Checked by `tsc -p tsconfig.test.json`, never called.
    const typeChecks = () => [
      client.request(CartDocument),
      client.request(ProductsDocument),
      // @ts-expect-error OrderDocument needs its id
      client.request(OrderDocument),
      // @ts-expect-error quantity is an Int
      client.request(AddToCartDocument, { productId: '1', quantity: '2' }),
    ];
    expect(typeof typeChecks).toBe('function');
  });

  it("persistedQueries 'hash': only the APQ hash travels", async () => {
    const { fetch, sent } = scriptedFetch({ body: { data: { cart: { items: [], subtotal: { amount: '0.00', currency: 'USD' } } } } });
    await createStoregraphClient({ url, fetch, persistedQueries: 'hash' }).request(CartDocument);
    expect(sent[0].body).toEqual({
      operationName: 'Cart',
      variables: {},
      extensions: { persistedQuery: { version: 1, sha256Hash: hashOf(CartDocument) } },
    });
  });

  it("persistedQueries 'auto': the text follows when the server does not know the hash", async () => {
    const { fetch, sent } = scriptedFetch(
      { body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] } },
      { body: { data: { cart: { items: [], subtotal: { amount: '0.00', currency: 'USD' } } } } },
    );
    const data = await createStoregraphClient({ url, fetch, persistedQueries: 'auto' }).request(CartDocument);
    expect(data.cart.items).toEqual([]);
    expect(sent.map((s) => s.body.query)).toEqual([undefined, texts[hashOf(CartDocument)]]);
    expect(sent[1].body.extensions).toEqual({ persistedQuery: { version: 1, sha256Hash: hashOf(CartDocument) } });
  });
});

describe('SDK client over graphql-ws', () => {
  const order = (status: OrderStatus): OrderFieldsFragment => ({
    id: 'order-1',
    status,
    failureReason: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    subtotal: { amount: '1.00', currency: 'USD' },
    discount: { amount: '0.00', currency: 'USD' },
    coupon: null,
    total: { amount: '1.00', currency: 'USD' },
    statusHistory: [{ status, at: '2025-01-01T00:00:00.000Z' }],
    items: [],
    payment: null,
    user: { id: 'user-1', email: 'a@b.test', name: 'A', role: 'CUSTOMER', createdAt: '2025-01-01T00:00:00.000Z' },
    shippingAddress: null,
    shipment: null,
  });

  let server: WebSocketServer;
  let wsUrl: string;
  const connectionParams: unknown[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, path: '/graphql' });
    await once(server, 'listening');
    wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    useServer(
      {
        // The real API schema: the SDK's subscription document must validate against it.
        schema: buildSchema(apiSchemaSdl()),
        onConnect: (ctx) => {
          connectionParams.push(ctx.connectionParams);
          return ctx.connectionParams?.authorization === 'Bearer live-token';
        },
        roots: {
          subscription: {
            orderStatusChanged: async function* (args: { orderId: string }) {
              if (args.orderId !== 'order-1') throw new Error('unexpected order');
              for (const status of ['PENDING', 'RESERVED', 'CONFIRMED'] as const) yield { orderStatusChanged: order(status) };
            },
          },
        },
      },
      server,
    );
  });

  afterAll(async () => {
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the token in connection_init and yields each event typed', async () => {
    const client = createStoregraphClient({
      url: 'http://unused.test/graphql',
      wsUrl,
      webSocketImpl: WebSocket,
      getToken: () => 'live-token',
    });
    const statuses: OrderStatus[] = [];
    try {
      for await (const event of client.subscribe(OrderStatusChangedDocument, { orderId: 'order-1' })) {
        statuses.push(event.orderStatusChanged.status);
      }
    } finally {
      await client.dispose();
    }
    expect(statuses).toEqual(['PENDING', 'RESERVED', 'CONFIRMED']);
    expect(connectionParams).toContainEqual({ authorization: 'Bearer live-token' });
  });

  it('rejects with StoregraphError when the server refuses the connection', async () => {
    const client = createStoregraphClient({
      url: 'http://unused.test/graphql',
      wsUrl,
      webSocketImpl: WebSocket,
      getToken: () => 'wrong-token',
      wsOptions: { retryAttempts: 0 },
    });
    try {
      const events = client.subscribe(OrderStatusChangedDocument, { orderId: 'order-1' });
      const error = await events.next().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoregraphError);
      expect(error).toMatchObject({ message: expect.stringMatching(/Subscription socket closed \(4403\)/), code: 'UNAUTHENTICATED' });
    } finally {
      await client.dispose();
    }
  });
});
