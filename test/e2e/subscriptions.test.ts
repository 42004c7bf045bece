import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { EnvReader, JWT_AUDIENCE, JWT_ISSUER, readKeyMaterial } from '@storegraph/common';
import { waitFor } from '@storegraph/common/testing';
import { CancelOrderDocument, LogoutDocument } from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, connect, createProduct, signUp, type StoregraphClient } from './support/client';
import { follow, openSocket } from './support/live';

/**
 * Live order status through the gateway with a real graphql-ws client: the selection
 * spans all four subgraphs, events arrive in order, and nothing leaks.
 */
const ASSERTION_TTL_SECONDS = 2;

describe('orderStatusChanged through the gateway', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop({
      // Identity assertions to the subgraphs live 2 s here (60 s by default), so holding a
      // subscription past their lifetime takes seconds.
      env: { PAYMENT_TEST_DELAY_MS: '1500', REVOCATION_CHECK_MS: '200', IDENTITY_ASSERTION_TTL_SECONDS: String(ASSERTION_TTL_SECONDS) },
    }));
  });

  afterAll(() => stack?.stop());

  const shopper = async () => {
    const session = await signUp(api, 'Live');
    return { ...session, token: session.accessToken };
  };

  const product = async (stock = 100) => (await createProduct(admin, { price: '10.00', stock, name: 'Live teapot' })).id;

  async function placeOrder(token: string, productId: string, paymentToken = 'tok_delayed') {
    const client = connect(stack.url, token);
    await addToCart(client, productId, 1);
    return checkout(client, paymentToken);
  }

  const cancel = (token: string, id: string) => connect(stack.url, token).request(CancelOrderDocument, { id });

  const FULL = `subscription($id: ID!) {
    orderStatusChanged(orderId: $id) {
      id status statusHistory { status }
      user { email }
      items { quantity product { name price { amount } } }
      payment { status }
    }
  }`;

  it('streams every status with fields of all four subgraphs, in order, and completes after CANCELLED', async () => {
    const me = await shopper();
    const productId = await product();
    const orderId = await placeOrder(me.token, productId);
    const socket = openSocket(stack.url, me.token);
    const live = follow(socket, FULL, { id: orderId });
    await waitFor(() => live.events.some((e) => (e.data?.orderStatusChanged as { status: string })?.status === 'CONFIRMED'), {
      timeoutMs: 15_000,
      what: 'CONFIRMED to arrive',
    });
    await cancel(me.token, orderId);
    await live.done;
    await socket.client.dispose();

    expect(live.failure()).toBeNull();
    const orders = live.events.map((e) => {
      expect(e.errors).toBeUndefined();
      return e.data!.orderStatusChanged as { status: string; statusHistory: Array<{ status: string }>; user: unknown; items: unknown };
    });
    const statuses = orders.map((o) => o.status);
    const all = ['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED'];
    expect(statuses).toEqual(all.slice(all.indexOf(statuses[0])));
    orders.forEach((order) => {
      expect(order.statusHistory.map((h) => h.status)).toEqual(all.slice(0, all.indexOf(order.status) + 1));
      expect(order.user).toEqual({ email: me.email });
      expect(order.items).toEqual([{ quantity: 1, product: { name: 'Live teapot', price: { amount: '10.00' } } }]);
    });
    expect(orders.at(-1)).toMatchObject({ status: 'CANCELLED' });
  });

  it('resolves every subgraph\'s fields on an event that comes after the identity assertion\'s lifetime', async () => {
    const me = await shopper();
    const orderId = await placeOrder(me.token, await product(), 'tok_visa');
    const socket = openSocket(stack.url, me.token);
    const live = follow(socket, FULL, { id: orderId });
    await waitFor(() => live.events.some((e) => (e.data?.orderStatusChanged as { status: string })?.status === 'CONFIRMED'), {
      timeoutMs: 15_000,
      what: 'CONFIRMED to arrive',
    });
    // Every assertion signed up to now (at connection_init, at subscribe, for these events) has expired.
    await new Promise((resolve) => setTimeout(resolve, (ASSERTION_TTL_SECONDS + 1.5) * 1000));
    await cancel(me.token, orderId);
    await live.done;
    await socket.client.dispose();

    expect(live.failure()).toBeNull();
    expect(live.events.at(-1)).toEqual({
      data: {
        orderStatusChanged: {
          id: orderId,
          status: 'CANCELLED',
          statusHistory: [{ status: 'PENDING' }, { status: 'RESERVED' }, { status: 'CONFIRMED' }, { status: 'CANCELLED' }],
          user: { email: me.email },
          items: [{ quantity: 1, product: { name: 'Live teapot', price: { amount: '10.00' } } }],
          // The refund follows the cancellation on its own event; either may be seen first.
          payment: { status: expect.stringMatching(/^(CAPTURED|REFUNDED)$/) },
        },
      },
    });
  });

  it('refuses another customer (an error, never data) and a bad token (socket closed)', async () => {
    const owner = await shopper();
    const stranger = await shopper();
    const orderId = await placeOrder(owner.token, await product());

    const socket = openSocket(stack.url, stranger.token);
    const live = follow(socket, FULL, { id: orderId });
    await live.done;
    await socket.client.dispose();
    expect(live.events.every((e) => !e.data)).toBe(true);
    expect(live.events.flatMap((e) => (e.errors ?? []).map((x) => x.extensions?.code))).toEqual(['NOT_FOUND']);

    const bad = openSocket(stack.url, 'not-a-token');
    const refused = follow(bad, FULL, { id: orderId });
    await refused.done;
    expect((await bad.closed).code).toBe(4403);
    expect(refused.events).toEqual([]);

    const anonymous = openSocket(stack.url);
    const anon = follow(anonymous, FULL, { id: orderId });
    await anon.done;
    await anonymous.client.dispose();
    expect(anon.events.flatMap((e) => (e.errors ?? []).map((x) => x.extensions?.code))).toEqual(['UNAUTHENTICATED']);
  });

  it('closes the socket when its token is revoked', async () => {
    const me = await shopper();
    const orderId = await placeOrder(me.token, await product(), 'tok_visa');
    const socket = openSocket(stack.url, me.token);
    const live = follow(socket, FULL, { id: orderId });
    await waitFor(() => live.events.length > 0, { what: 'the snapshot' });
    await connect(stack.url, me.token).request(LogoutDocument, { refreshToken: me.refreshToken });
    expect((await socket.closed).code).toBe(4403);
  });

  it('closes the socket when its token expires', async () => {
    const me = await shopper();
    const orderId = await placeOrder(me.token, await product(), 'tok_visa');
    const keys = readKeyMaterial(new EnvReader(), 'development', { privateKey: true });
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await new SignJWT({ role: 'CUSTOMER', fam: randomUUID() })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(me.userId)
      .setJti(randomUUID())
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 2)
      .sign(await importPKCS8(keys.privateKeyPem!, 'EdDSA'));
    const socket = openSocket(stack.url, shortLived);
    const live = follow(socket, FULL, { id: orderId });
    await waitFor(() => live.events.length > 0, { what: 'the snapshot' });
    const closed = await socket.closed;
    expect(closed.code).toBe(4401);
  });

  it('serves 200 concurrent sockets, each gets its events, and leaves nothing open after', async () => {
    const before = {
      gateway: stack.gateway.live.upstreamSubscriptions(),
      orders: stack.subgraphs.orders.live.subscribers(),
      nats: stack.subgraphs.orders.live.natsSubscriptions(),
    };
    const productId = await product(1000);
    const owners = await Promise.all(Array.from({ length: 20 }, () => shopper()));
    const orders = await Promise.all(owners.map(async (o) => ({ owner: o, id: await placeOrder(o.token, productId, 'tok_visa') })));
    const lives = orders.flatMap(({ owner, id }) =>
      Array.from({ length: 10 }, () => {
        const socket = openSocket(stack.url, owner.token);
        return { socket, live: follow(socket, 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }', { id }), id };
      }),
    );
    expect(lives).toHaveLength(200);
    await waitFor(() => lives.every((l) => l.live.events.length > 0), { timeoutMs: 30_000, what: '200 snapshots' });
    expect(stack.gateway.live.upstreamSubscriptions() - before.gateway).toBe(200);
    await Promise.all(orders.map(({ owner, id }) => cancel(owner.token, id)));
    await Promise.all(lives.map((l) => l.live.done));
    for (const l of lives) {
      const last = l.live.events.at(-1)!.data!.orderStatusChanged as { id: string; status: string };
      expect(last).toEqual({ id: l.id, status: 'CANCELLED' });
    }
    await Promise.all(lives.map((l) => l.socket.client.dispose()));
    await waitFor(
      () =>
        stack.gateway.live.upstreamSubscriptions() === before.gateway &&
        stack.subgraphs.orders.live.subscribers() === before.orders &&
        stack.gateway.live.sockets() === 0,
      { what: 'every subscription to be released' },
    );
    expect(stack.subgraphs.orders.live.natsSubscriptions()).toBe(before.nats);
  });

  it('a subscriber that disconnects mid-stream releases its upstream subscription', async () => {
    const me = await shopper();
    const orderId = await placeOrder(me.token, await product());
    const before = stack.gateway.live.upstreamSubscriptions();
    const socket = openSocket(stack.url, me.token);
    const live = follow(socket, FULL, { id: orderId });
    await waitFor(() => live.events.length > 0, { what: 'the snapshot' });
    expect(stack.gateway.live.upstreamSubscriptions()).toBe(before + 1);
    await socket.client.dispose();
    await waitFor(() => stack.gateway.live.upstreamSubscriptions() === before, { what: 'the upstream to close' });
  });
});
