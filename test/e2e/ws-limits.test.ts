import { waitFor } from '@storegraph/common/testing';
import { CancelOrderDocument } from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, connect, createProduct, signUp, type StoregraphClient } from './support/client';
import { follow, openSocket } from './support/live';

const STATUS = 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }';
/** A subscription whose cost grows with $n: each event fetches the owner's last $n orders. */
const WITH_ORDERS = `subscription($id: ID!, $n: Int) {
  orderStatusChanged(orderId: $id) { id user { orders(first: $n) { edges { node { id items { quantity } } } } } }
}`;

const statusOf = (event: { data?: Record<string, unknown> | null }) => (event.data?.orderStatusChanged as { status?: string })?.status;

/** Subscriptions through the real gateway and orders subgraph, with the limits set low. */
describe('subscription limits through the gateway', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop({ env: { WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '2', MAX_QUERY_COST: '1000' } }));
  });
  afterAll(() => stack?.stop());

  async function confirmedOrder() {
    const me = await signUp(api, 'Limits');
    const product = await createProduct(admin, { price: '4.00', stock: 10, name: 'Limited mug' });
    const client = connect(stack.url, me.accessToken);
    await addToCart(client, product.id, 1);
    return { me, orderId: await checkout(client, 'tok_visa') };
  }

  it('refuses a third subscription on one socket with RATE_LIMITED; the first two carry on, and a freed slot is usable', async () => {
    const { me, orderId } = await confirmedOrder();
    const socket = openSocket(stack.url, me.accessToken);
    const first = follow(socket, STATUS, { id: orderId });
    const second = follow(socket, STATUS, { id: orderId });
    await waitFor(() => first.events.length > 0 && second.events.length > 0, { what: 'both snapshots' });

    const third = follow(socket, STATUS, { id: orderId });
    await third.done;
    const refusal = third.failure() as Array<{ message: string; extensions?: { code?: string } }>;
    expect(refusal.map((error) => error.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(refusal[0].message).toContain('the limit is 2 (WS_MAX_SUBSCRIPTIONS_PER_SOCKET)');
    expect(third.events).toEqual([]);

    await connect(stack.url, me.accessToken).request(CancelOrderDocument, { id: orderId });
    await Promise.all([first.done, second.done]);
    for (const live of [first, second]) {
      expect(live.failure()).toBeNull();
      expect(statusOf(live.events.at(-1)!)).toBe('CANCELLED');
    }
    // Both completed: the socket may run two again.
    const again = follow(socket, STATUS, { id: orderId });
    await again.done;
    expect(again.failure()).toBeNull();
    expect(again.events.map(statusOf)).toEqual(['CANCELLED']);
    await socket.client.dispose();
  });

  it('refuses a subscription over MAX_QUERY_COST, sized by its variables, before it starts', async () => {
    const { me, orderId } = await confirmedOrder();
    const socket = openSocket(stack.url, me.accessToken);
    const costly = follow(socket, WITH_ORDERS, { id: orderId, n: 100 });
    await costly.done;
    const refusal = costly.failure() as Array<{ message: string; extensions?: { code?: string } }>;
    expect(refusal.map((error) => error.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(refusal[0].message).toMatch(/^Operation is estimated to cost \d+; the limit is 1000 \(MAX_QUERY_COST\)$/);
    expect(costly.events).toEqual([]);

    const cheap = follow(socket, WITH_ORDERS, { id: orderId, n: 2 });
    await waitFor(() => cheap.events.length > 0, { what: 'the snapshot' });
    expect(cheap.events[0].errors).toBeUndefined();
    expect(cheap.events[0].data?.orderStatusChanged).toMatchObject({ id: orderId, user: { orders: { edges: [{ node: { id: orderId } }] } } });
    await socket.client.dispose();
  });
});
