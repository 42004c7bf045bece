import WebSocket from 'ws';
import { unique, waitFor } from '@storegraph/common/testing';
import {
  createStoregraphClient,
  LoginDocument,
  LogoutDocument,
  LogoutEverywhereDocument,
  MeDocument,
  OrderStatusChangedDocument,
  RefreshTokenDocument,
  RegisterDocument,
  type FetchLike,
  type OrderStatus,
  type SessionEndedReason,
  type SessionTokens,
  type StoregraphClient,
} from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, createProduct, failure, logIn, meStatus } from './support/client';

const ACCESS_TOKEN_TTL_SECONDS = 3;
const PASSWORD = 'correct-horse-1';

/**
 * The SDK keeping a session alive against the real stack: access tokens that live
 * ACCESS_TOKEN_TTL_SECONDS, refresh tokens that rotate on use and end their whole login when
 * a rotated one comes back, logins ended from elsewhere, and a subscription open across a
 * refresh.
 */
describe('SDK sessions through the gateway', () => {
  let stack: Stack;
  let api: StoregraphClient;
  /** A session-mode client signed in as ADMIN: it outlives the short access tokens by itself. */
  let admin: StoregraphClient;

  beforeAll(async () => {
    ({ stack, api } = await startShop({
      env: {
        ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
        // tok_delayed's capture outlives the access token the order was placed with
        PAYMENT_TEST_DELAY_MS: String((ACCESS_TOKEN_TTL_SECONDS + 3) * 1000),
        REVOCATION_CHECK_MS: '200',
      },
    }));
    admin = createStoregraphClient({ url: stack.url });
    await admin.request(LoginDocument, { email: stack.admin.email, password: stack.admin.password });
  });
  afterAll(() => stack?.stop());

  /** A session-mode client as an app holds one, counting the operations it sends. */
  function app(options: { webSocket?: boolean } = {}) {
    const operations: string[] = [];
    const ended: SessionEndedReason[] = [];
    const countingFetch: FetchLike = async (url, init) => {
      operations.push((JSON.parse(init.body) as { operationName: string }).operationName);
      return fetch(url, init);
    };
    const client = createStoregraphClient({
      url: stack.url,
      fetch: countingFetch,
      onSessionEnded: (reason) => ended.push(reason),
      ...(options.webSocket ? { webSocketImpl: RecordingWebSocket } : {}),
    });
    return { client, ended, refreshes: () => operations.filter((name) => name === 'RefreshToken').length };
  }

  async function register(client: StoregraphClient): Promise<{ email: string; userId: string; session: SessionTokens }> {
    const email = `${unique('session')}@storegraph.test`;
    const { register: auth } = await client.request(RegisterDocument, { input: { email, password: PASSWORD, name: 'Kept' } });
    const session = await client.session.get();
    expect(session).toEqual({ accessToken: auth.accessToken, refreshToken: auth.refreshToken });
    return { email, userId: auth.user.id, session: session! };
  }

  /** Until the gateway refuses `accessToken` as expired (its lifetime plus the verifier's clock tolerance). */
  const expiry = (accessToken: string) =>
    waitFor(async () => (await meStatus(stack.url, accessToken)).status === 401, {
      timeoutMs: (ACCESS_TOKEN_TTL_SECONDS + 15) * 1000,
      intervalMs: 250,
      what: 'the access token to expire',
    });

  const refreshCodes = async (refreshToken: string) => (await failure(api.request(RefreshTokenDocument, { refreshToken }))).codes;

  it('an expired access token is refreshed transparently: the call answers, the session holds the new pair', async () => {
    const { client, refreshes, ended } = app();
    const { userId, session } = await register(client);
    await expiry(session.accessToken);

    expect((await client.request(MeDocument)).me?.id).toBe(userId);
    expect(refreshes()).toBe(1);
    const renewed = await client.session.get();
    expect(renewed?.accessToken).not.toBe(session.accessToken);
    expect(renewed?.refreshToken).not.toBe(session.refreshToken);
    expect(await meStatus(stack.url, renewed!.accessToken)).toEqual({ status: 200, codes: [] });
    expect(ended).toEqual([]);
  });

  it('10 concurrent calls refused for the expired token cause exactly one refreshToken call', async () => {
    const { client, refreshes } = app();
    const { userId, session } = await register(client);
    await expiry(session.accessToken);

    const answers = await Promise.all(Array.from({ length: 10 }, () => client.request(MeDocument)));
    expect(answers.map((answer) => answer.me?.id)).toEqual(Array(10).fill(userId));
    expect(refreshes()).toBe(1);
  });

  it('the refresh token rotates: the one used is refused by the server afterwards', async () => {
    const { client, refreshes } = app();
    const { session } = await register(client);
    const renewed = await client.session.refresh();
    expect(refreshes()).toBe(1);
    expect(renewed.refreshToken).not.toBe(session.refreshToken);
    expect(await refreshCodes(session.refreshToken)).toEqual(['UNAUTHENTICATED']);
    // Presenting the rotated one again was taken for theft: the login is over, for the client too.
    expect(await refreshCodes(renewed.refreshToken)).toEqual(['UNAUTHENTICATED']);
    expect((await failure(client.request(MeDocument))).codes).toEqual(['UNAUTHENTICATED']);
  });

  it('reuse detection: a stolen refresh token used first makes the client present a rotated one; the server ends the login and the client reports its session ended', async () => {
    const { client, refreshes, ended } = app();
    const { session } = await register(client);
    // The thief rotates the stolen token first and gets a pair of its own.
    const { refreshToken: stolen } = await api.request(RefreshTokenDocument, { refreshToken: session.refreshToken });
    await expiry(session.accessToken);

    // The app's next call: its token expired, its refresh token was rotated by the thief.
    const refused = await failure(client.request(MeDocument));
    expect({ status: refused.status, codes: refused.codes }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(refreshes()).toBe(1);
    expect(ended).toEqual(['refresh_refused']);
    expect(await client.session.get()).toBeNull();
    // The whole login ended: the thief's pair is dead too.
    expect(await meStatus(stack.url, stolen.accessToken)).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(await refreshCodes(stolen.refreshToken)).toEqual(['UNAUTHENTICATED']);
    // Reported once; the client goes on signed out.
    expect((await client.request(MeDocument)).me).toBeNull();
    expect(ended).toEqual(['refresh_refused']);
  });

  it('logoutEverywhere from another client ends this client session on its next call', async () => {
    const { client, refreshes, ended } = app();
    const { email, session } = await register(client);
    const elsewhere = await logIn(api, email, PASSWORD);
    expect(await elsewhere.client.request(LogoutEverywhereDocument)).toEqual({ logoutEverywhere: true });

    const refused = await failure(client.request(MeDocument));
    expect({ status: refused.status, codes: refused.codes }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(refreshes()).toBe(1);
    expect(ended).toEqual(['refresh_refused']);
    expect(await client.session.get()).toBeNull();
    expect(await refreshCodes(session.refreshToken)).toEqual(['UNAUTHENTICATED']);
  });

  it('logout through the client ends the login on the server and the session here', async () => {
    const { client, ended } = app();
    const { session } = await register(client);
    expect(await client.request(LogoutDocument, { refreshToken: session.refreshToken })).toEqual({ logout: true });
    expect(ended).toEqual(['logged_out']);
    expect(await client.session.get()).toBeNull();
    expect(await refreshCodes(session.refreshToken)).toEqual(['UNAUTHENTICATED']);
  });

  it('an open subscription keeps delivering across the refresh, reconnected with the new token', async () => {
    const product = await createProduct(admin, { price: '4.00', stock: 2, name: 'Slow teapot' });
    const { client, refreshes } = app({ webSocket: true });
    const { userId } = await register(client);
    const tokens: string[] = [];
    client.session.on('changed', (pair) => pair && tokens.push(pair.accessToken));
    await addToCart(client, product.id, 1);
    const orderId = await checkout(client, 'tok_delayed');

    connectionTokens.length = 0;
    const seen: Array<{ status: OrderStatus; afterRefresh: boolean }> = [];
    try {
      for await (const { orderStatusChanged: order } of client.subscribe(OrderStatusChangedDocument, { orderId })) {
        expect(order.user.id).toBe(userId);
        seen.push({ status: order.status, afterRefresh: tokens.length > 0 });
        if (order.status === 'CONFIRMED') break;
      }
    } finally {
      await client.dispose();
    }
    expect(refreshes()).toBeGreaterThanOrEqual(1);
    // CONFIRMED came after a refresh, over a socket that connected with a renewed token.
    expect(seen[seen.length - 1]).toEqual({ status: 'CONFIRMED', afterRefresh: true });
    expect(connectionTokens.length).toBeGreaterThanOrEqual(2);
    expect(tokens).toContain(connectionTokens[connectionTokens.length - 1]);
    // In order, none skipped; a reconnect may repeat the status it was at.
    const statuses = seen.map((event) => event.status).filter((status, i, all) => status !== all[i - 1]);
    const history: OrderStatus[] = ['PENDING', 'RESERVED', 'CONFIRMED'];
    expect(statuses).toEqual(history.slice(history.indexOf(statuses[0])));
  });
});

/** The access token of every connection_init the SDK's sockets sent, in order. */
const connectionTokens: string[] = [];

/** The `ws` WebSocket (Node 20 has none), recording what connection_init carries. */
class RecordingWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    const send = this.send.bind(this) as (data: unknown, ...rest: unknown[]) => void;
    this.send = ((data: unknown, ...rest: unknown[]) => {
      const message = JSON.parse(String(data)) as { type?: string; payload?: { authorization?: string } };
      if (message.type === 'connection_init') connectionTokens.push(message.payload?.authorization?.replace(/^Bearer /, '') ?? '');
      send(data, ...rest);
    }) as typeof this.send;
  }
}
