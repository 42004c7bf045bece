import { LoginDocument, LogoutDocument, RefreshTokenDocument } from '@storegraph/sdk';
import { OwnRedisServer, waitFor } from '@storegraph/common/testing';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, createProduct, failure, meStatus, signUp, type StoregraphClient } from './support/client';
import { follow, openSocket } from './support/live';

/**
 * A logout while Redis is down must still end the login for good: its access token is
 * refused once Redis is back (which comes back empty: it keeps nothing on disk), and its
 * open socket is closed. The stack runs on a Redis server of this test's own.
 */
describe('logout during a Redis outage', () => {
  let redisServer: OwnRedisServer;
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    redisServer = await OwnRedisServer.start();
    ({ stack, api, admin } = await startShop({
      env: {
        REDIS_URL: redisServer.url,
        REVOCATION_CHECK_MS: '200',
        // Long enough that this outage alone does not close the socket: revocation must.
        REVOCATION_UNCHECKED_CLOSE_MS: '120000',
        REVOCATION_SYNC_INTERVAL_MS: '200',
      },
    }));
  });
  afterAll(async () => {
    await stack?.stop();
    await redisServer?.stop();
  });

  const me = (token: string) => meStatus(stack.url, token);

  it('refuses the old access token (401) and closes its socket once Redis returns, never accepting it in between', async () => {
    const session = await signUp(api, 'Outage');
    const product = await createProduct(admin, { price: '5.00', stock: 10 });
    await addToCart(session.client, product.id, 1);
    const orderId = await checkout(session.client);
    const socket = openSocket(stack.url, session.accessToken);
    const live = follow(socket, 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }', { id: orderId });
    await waitFor(() => live.events.length > 0, { what: 'the snapshot' });
    expect(await me(session.accessToken)).toEqual({ status: 200, codes: [] });

    await redisServer.stop();
    let restarted = false;
    try {
      // Honest answers while Redis is away: the token cannot be checked, so it is not accepted ...
      expect(await me(session.accessToken)).toEqual({ status: 503, codes: ['SERVICE_UNAVAILABLE'] });
      // ... and the logout, sent by the SDK with that token, takes effect: the login ends in the
      // users database with its revocation, which reaches Redis when Redis is back.
      expect(await session.client.request(LogoutDocument, { refreshToken: session.refreshToken })).toEqual({ logout: true });
      expect((await failure(api.request(RefreshTokenDocument, { refreshToken: session.refreshToken }))).codes).toEqual([
        'UNAUTHENTICATED',
      ]);
      await redisServer.start();
      restarted = true;
    } finally {
      if (!restarted) await redisServer.start();
    }

    // Redis is back and empty: until users has pushed the list again the token is
    // "cannot check" (503), then "revoked" (401); never accepted.
    const seen = new Set<string>();
    await waitFor(
      async () => {
        const answer = await me(session.accessToken);
        seen.add(`${answer.status} ${answer.codes.join(',')}`);
        return answer.status === 401;
      },
      { timeoutMs: 15_000, what: 'the old access token to be refused as revoked' },
    );
    expect([...seen].every((answer) => ['503 SERVICE_UNAVAILABLE', '401 UNAUTHENTICATED'].includes(answer))).toBe(true);
    expect(await me(session.accessToken)).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect((await socket.closed).code).toBe(4403);

    // Only that login ended: the account signs in again.
    const { login } = await api.request(LoginDocument, { email: session.email, password: 'correct-horse-1' });
    expect(await me(login.accessToken)).toEqual({ status: 200, codes: [] });
  });
});
