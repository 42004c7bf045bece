import { LockMode } from '@mikro-orm/core';
import { uuidv7 } from '@storegraph/common';
import { waitFor } from '@storegraph/common/testing';
import { createApp, type OrdersApp } from '../../src/app';
import { Order, OrderStatus } from '../../src/entities';
import { transitionOrder } from '../../src/services/order-state-machine';
import {
  actor, createProduct, ok, ORDER_FIELDS, placeOrder, startHarness, type Actor, type Harness, type OrderShape,
} from '../support/harness';
import { LiveFeed } from '../support/live';
import { publish, publishAndApply } from '../support/saga';

let h: Harness;
let productId: string;
const feeds: Array<LiveFeed<Changed>> = [];

beforeAll(async () => {
  // A database of its own: no other file's relay sweeps (and publishes elsewhere) these events.
  h = await startHarness({ database: 'orders_live' });
  productId = await createProduct(h, '4.00');
});
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.disconnect()));
});
afterAll(async () => {
  await h?.stop();
});

interface Changed {
  orderStatusChanged: OrderShape;
}

const FOLLOW = `subscription($id: ID!) { orderStatusChanged(orderId: $id) { ${ORDER_FIELDS} } }`;
const CANCEL = 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }';

function follow(orderId: string, who?: Actor, url = h.ordersUrl): LiveFeed<Changed> {
  const feed = new LiveFeed<Changed>(url, FOLLOW, { id: orderId }, who);
  feeds.push(feed);
  return feed;
}

/** Each emission as [status, history statuses, failureReason]: the order as it was at that change. */
function steps(feed: LiveFeed<Changed>): Array<[string, string[], string | null]> {
  return feed.data.map((data) => {
    const order = data?.orderStatusChanged;
    if (!order) throw new Error(`a result without an order: ${JSON.stringify(feed.results)}`);
    return [order.status, order.statusHistory.map((s) => s.status), order.failureReason];
  });
}

async function pending(who = actor(h.secret)): Promise<{ id: string; who: Actor }> {
  return { id: (await placeOrder(h, who, productId, 1)).id, who };
}

const expires = () => new Date(Date.now() + 900_000).toISOString();

/** A status change made the way the saga makes it (row lock, guarded update, outbox event). */
async function move(app: OrdersApp, orderId: string, to: OrderStatus): Promise<void> {
  await app.database.orm.em.fork().transactional(async (tx) => {
    const order = await tx.findOne(Order, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, disableIdentityMap: true });
    if (!order) throw new Error(`no order ${orderId}`);
    await transitionOrder(tx, order, to);
  });
}

describe('orderStatusChanged', () => {
  it('sends the order as it is, then PENDING -> RESERVED -> CONFIRMED -> CANCELLED in order, then completes', async () => {
    const { id, who } = await pending();
    const feed = follow(id, who);
    const [snapshot] = await feed.received(1);
    expect(snapshot.errors).toBeUndefined();
    expect(snapshot.data?.orderStatusChanged).toMatchObject({
      id,
      status: 'PENDING',
      user: { id: who.userId },
      total: { amount: '4.00', currency: 'USD' },
      items: [{ product: { id: productId }, quantity: 1, unitPrice: { amount: '4.00', currency: 'USD' } }],
    });

    await publish(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expires() });
    await feed.received(2);
    const paymentId = uuidv7();
    await publishAndApply(h.orders, 'payments.payment.captured', { orderId: id, paymentId, amountMinor: 400 });
    await publish(h.orders, 'catalog.stock.sold', { orderId: id, paymentId });
    await feed.received(3);
    expect(feed.completed).toBe(false);
    await ok(h.ordersUrl, CANCEL, { id }, who);
    await feed.completion();

    expect(steps(feed)).toEqual([
      ['PENDING', ['PENDING'], null],
      ['RESERVED', ['PENDING', 'RESERVED'], null],
      ['CONFIRMED', ['PENDING', 'RESERVED', 'CONFIRMED'], null],
      ['CANCELLED', ['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED'], null],
    ]);
    expect(feed.results.every((result) => result.errors === undefined)).toBe(true);
    await waitFor(() => h.orders.live.subscribers() === 0, { what: 'the completed feed to be released' });
  });

  it('sends FAILED with its reason and completes', async () => {
    const { id, who } = await pending();
    const feed = follow(id, who);
    await feed.received(1);
    await publish(h.orders, 'catalog.stock.rejected', { orderId: id, productIds: [productId] });
    await feed.completion();
    expect(steps(feed)).toEqual([
      ['PENDING', ['PENDING'], null],
      ['FAILED', ['PENDING', 'FAILED'], 'OUT_OF_STOCK'],
    ]);
  });

  it('sends SHIPPED and DELIVERED (made in quick succession) each with the shipment as it was then, and completes after DELIVERED', async () => {
    const { id, who } = await pending();
    await move(h.orders, id, OrderStatus.RESERVED);
    await move(h.orders, id, OrderStatus.CONFIRMED);
    const feed = new LiveFeed<{ orderStatusChanged: { status: string; shipment: { carrier: string; deliveredAt: string | null } | null } }>(
      h.ordersUrl,
      'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status shipment { carrier deliveredAt } } }',
      { id },
      who,
    );
    feeds.push(feed as unknown as LiveFeed<Changed>);
    await feed.received(1);
    const admin = actor(h.secret, 'ADMIN');
    await ok(h.ordersUrl, 'mutation($id: ID!) { shipOrder(id: $id, input: { carrier: "DHL", trackingNumber: "T1" }) { id } }', { id }, admin);
    const { markOrderDelivered } = await ok<{ markOrderDelivered: { shipment: { deliveredAt: string } } }>(
      h.ordersUrl,
      'mutation($id: ID!) { markOrderDelivered(id: $id) { shipment { deliveredAt } } }',
      { id },
      admin,
    );
    await feed.completion();
    expect(feed.data.map((data) => data?.orderStatusChanged)).toEqual([
      { status: 'CONFIRMED', shipment: null },
      { status: 'SHIPPED', shipment: { carrier: 'DHL', deliveredAt: null } },
      { status: 'DELIVERED', shipment: { carrier: 'DHL', deliveredAt: markOrderDelivered.shipment.deliveredAt } },
    ]);
  });

  it('sends two changes made in quick succession as two emissions, in order', async () => {
    const { id, who } = await pending();
    const feed = follow(id, who);
    await feed.received(1);
    await move(h.orders, id, OrderStatus.RESERVED);
    await move(h.orders, id, OrderStatus.CANCELLED);
    await feed.completion();
    expect(steps(feed)).toEqual([
      ['PENDING', ['PENDING'], null],
      ['RESERVED', ['PENDING', 'RESERVED'], null],
      ['CANCELLED', ['PENDING', 'RESERVED', 'CANCELLED'], null],
    ]);
  });

  it('sends an order that has already ended once and completes', async () => {
    const { id, who } = await pending();
    await ok(h.ordersUrl, CANCEL, { id }, who);
    const feed = follow(id, who);
    await feed.completion();
    expect(steps(feed)).toEqual([['CANCELLED', ['PENDING', 'CANCELLED'], null]]);
  });

  it('lets an ADMIN follow any order', async () => {
    const { id } = await pending();
    const feed = follow(id, actor(h.secret, 'ADMIN'));
    await feed.received(1);
    await publish(h.orders, 'catalog.stock.reserved', { orderId: id, expiresAt: expires() });
    await feed.received(2);
    expect(steps(feed).map(([status]) => status)).toEqual(['PENDING', 'RESERVED']);
  });
});

describe('who may follow', () => {
  it('refuses an anonymous caller with UNAUTHENTICATED and no data', async () => {
    const { id } = await pending();
    const feed = follow(id);
    await feed.completion();
    expect(feed.results).toHaveLength(1);
    expect(feed.results[0].data ?? null).toBeNull();
    expect(feed.results[0].errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('treats a forged identity as anonymous', async () => {
    const { id } = await pending();
    const feed = follow(id, { userId: uuidv7(), headers: { 'x-storegraph-identity': 'forged.signature' } });
    await feed.completion();
    expect(feed.results[0].errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it("answers another customer's order, and an unknown one, with NOT_FOUND and no data", async () => {
    const { id } = await pending();
    for (const orderId of [id, uuidv7(), 'not-a-uuid']) {
      const feed = follow(orderId, actor(h.secret));
      await feed.completion();
      expect(feed.results).toHaveLength(1);
      expect(feed.results[0].data ?? null).toBeNull();
      expect(feed.results[0].errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    }
    expect(h.orders.live.subscribers()).toBe(0);
  });
});

describe('resources', () => {
  it('releases the listener when the client unsubscribes or disconnects', async () => {
    const { id, who } = await pending();
    const leaving = follow(id, who);
    const stopping = follow(id, who);
    await Promise.all([leaving.received(1), stopping.received(1)]);
    expect(h.orders.live.subscribers()).toBe(2);
    expect(h.orders.live.natsSubscriptions()).toBe(1);

    await leaving.disconnect();
    await waitFor(() => h.orders.live.subscribers() === 1, { what: 'the disconnected listener to be released' });
    stopping.stop();
    await waitFor(() => h.orders.live.subscribers() === 0, { what: 'the unsubscribed listener to be released' });
    expect(h.orders.live.natsSubscriptions()).toBe(1);
  });
});

describe('several orders instances', () => {
  let second: OrdersApp;
  let secondUrl: string;

  beforeAll(async () => {
    // Same database, same NATS namespace: a replica behind the gateway, no sticky sessions.
    second = await createApp(h.config);
    secondUrl = await second.listen(0);
  });
  afterAll(async () => {
    await second?.stop();
  });

  it('a change made on instance B reaches a subscriber on instance A', async () => {
    const { id, who } = await pending();
    const onA = follow(id, who, h.ordersUrl);
    await onA.received(1);
    await ok(secondUrl, CANCEL, { id }, who);
    await onA.completion();
    expect(steps(onA).map(([status]) => status)).toEqual(['PENDING', 'CANCELLED']);
    expect(second.live.subscribers()).toBe(0);
  });

  it('each instance holds one NATS subscription whatever the number of subscribers', async () => {
    const orders = await Promise.all([pending(), pending(), pending()]);
    const live = orders.map(({ id, who }, i) => follow(id, who, i % 2 === 0 ? h.ordersUrl : secondUrl));
    await Promise.all(live.map((feed) => feed.received(1)));
    expect([h.orders.live.subscribers(), second.live.subscribers()]).toEqual([2, 1]);
    expect([h.orders.live.natsSubscriptions(), second.live.natsSubscriptions()]).toEqual([1, 1]);
  });
});
