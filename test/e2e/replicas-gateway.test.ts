import { randomInt } from 'node:crypto';
import { waitFor } from '@storegraph/common/testing';
import { LoginDocument, LogoutDocument } from '@storegraph/sdk';
import { addToCart, checkout, connect, createProduct, errorCodes, logIn, meStatus, signUp, type StoregraphClient } from './support/client';
import { follow, openSocket } from './support/live';
import { startReplicas, type Replicas } from './support/replicas';

const REQUEST_LIMIT = 10;

/**
 * What two gateways (and, behind each, its own users and orders replica) must share
 * through Redis: every rate limit counts the requests of both, and a token revoked through
 * one is refused by the other on its next request, open sockets closed.
 */
describe('replicas: rate limits and revocation across two gateways', () => {
  let replicas: Replicas;
  let admin: StoregraphClient;

  beforeAll(async () => {
    replicas = await startReplicas({
      env: {
        // The limits as configured (no test multiplier); each test counts under an address of its own.
        RATE_LIMIT_MULTIPLIER: '1',
        TRUST_PROXY: 'true',
        REQUEST_RATE_LIMIT: String(REQUEST_LIMIT),
        REGISTER_RATE_LIMIT: '100',
        LOGIN_RATE_LIMIT: '100',
        ADD_TO_CART_RATE_LIMIT: '6',
        REVOCATION_CHECK_MS: '200',
        REVOCATION_UNCHECKED_CLOSE_MS: '30000',
      },
    });
    const { stack } = replicas;
    const session = await logIn(connect(stack.url, undefined, address()), stack.admin.email, stack.admin.password);
    admin = connect(stack.url, session.accessToken, address());
  });
  afterAll(() => replicas?.stop());

  /** A client address of its own (the gateways trust X-Forwarded-For here). */
  function address(): Record<string, string> {
    return { 'x-forwarded-for': `198.51.${randomInt(0, 255)}.${randomInt(1, 255)}` };
  }

  async function status(url: string, headers: Record<string, string>): Promise<number> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await response.text();
    return response.status;
  }

  it('the request limit counts the requests of both gateways together', async () => {
    const from = address();
    const statuses: number[] = [];
    for (let i = 0; i < REQUEST_LIMIT; i += 1) statuses.push(await status(replicas.gatewayUrls[i % 2], from));
    expect(statuses).toEqual(statuses.map(() => 200));
    // Spent: both gateways refuse the next one, though each has seen only half.
    expect([await status(replicas.gatewayUrls[0], from), await status(replicas.gatewayUrls[1], from)]).toEqual([429, 429]);
  });

  it('the login failures of one account count across both users replicas', async () => {
    const shopper = await signUp(connect(replicas.stack.url, undefined, address()));
    const codes: Array<string | undefined> = [];
    // LOGIN_MAX_FAILURES is 5: five wrong passwords, alternating between the gateways (and users replicas).
    for (let i = 0; i < 6; i += 1) {
      const api = connect(replicas.gatewayUrls[i % 2], undefined, address());
      codes.push(...(await errorCodes(api.request(LoginDocument, { email: shopper.email, password: 'wrong-password' }))));
    }
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);
  });

  it("a user's addToCart allowance counts across both orders replicas", async () => {
    const product = await createProduct(admin, { price: '1.00', stock: 50 });
    const from = address();
    const shopper = await signUp(connect(replicas.stack.url, undefined, from));
    const clients = replicas.gatewayUrls.map((url) => connect(url, shopper.accessToken, address()));
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 7; i += 1) codes.push(...(await errorCodes(addToCart(clients[i % 2], product.id, 1))));
    expect(codes).toEqual(['RATE_LIMITED']);
  });

  it('a token revoked through one gateway is refused by the other at once, and its socket there closed', async () => {
    const from = address();
    const product = await createProduct(admin, { price: '2.00', stock: 5 });
    const shopper = await signUp(connect(replicas.stack.url, undefined, from));
    const client = connect(replicas.stack.url, shopper.accessToken, from);
    await addToCart(client, product.id, 1);
    const orderId = await checkout(client);
    // Served on both; a live subscription open on the second gateway.
    expect([await meStatus(replicas.stack.url, shopper.accessToken), await meStatus(replicas.secondUrl, shopper.accessToken)]).toEqual([
      { status: 200, codes: [] },
      { status: 200, codes: [] },
    ]);
    const socket = openSocket(replicas.secondUrl, shopper.accessToken);
    const live = follow(socket, 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }', { id: orderId });
    await waitFor(() => live.events.length > 0, { what: 'the snapshot on the second gateway' });

    await connect(replicas.stack.url, shopper.accessToken, from).request(LogoutDocument, { refreshToken: shopper.refreshToken });
    expect(await meStatus(replicas.secondUrl, shopper.accessToken)).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect((await socket.closed).code).toBe(4403);
  });
});
