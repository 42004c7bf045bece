import { uuidv7 } from '@storegraph/common';
import { codes } from '@storegraph/common/testing';
import { actor, createProduct, gql, ok, placeOrder, startHarness, type Actor, type Harness } from '../support/harness';
import { emitted, orderRow, publishAndApply } from '../support/saga';

let h: Harness;
let productId: string;
let admin: Actor;
beforeAll(async () => {
  h = await startHarness({ database: 'orders_fulfilment' });
  productId = await createProduct(h, '4.00');
  admin = actor(h.secret, 'ADMIN');
});
afterAll(async () => {
  await h?.stop();
});

const SHIPMENT = 'id status statusHistory { status at } shipment { carrier trackingNumber shippedAt deliveredAt }';
const SHIP = `mutation($id: ID!, $input: ShipOrderInput!) { shipOrder(id: $id, input: $input) { ${SHIPMENT} } }`;
const DELIVER = `mutation($id: ID!) { markOrderDelivered(id: $id) { ${SHIPMENT} } }`;
const CANCEL = 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }';
const ORDER = `query($id: ID!) { order(id: $id) { ${SHIPMENT} } }`;
const PARCEL = { carrier: 'DHL', trackingNumber: 'JD014600006281230042' };

interface Shipped {
  id: string;
  status: string;
  statusHistory: Array<{ status: string; at: string }>;
  shipment: { carrier: string; trackingNumber: string; shippedAt: string; deliveredAt: string | null } | null;
}

/** An order the saga confirmed: stock reserved, then sold with a payment. */
async function confirmedOrder(): Promise<string> {
  const order = await placeOrder(h, actor(h.secret), productId);
  await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: order.id, expiresAt: new Date(Date.now() + 60_000).toISOString() });
  await publishAndApply(h.orders, 'catalog.stock.sold', { orderId: order.id, paymentId: uuidv7() });
  expect((await orderRow(h.orders, order.id)).status).toBe('CONFIRMED');
  return order.id;
}

async function shippedOrder(): Promise<string> {
  const id = await confirmedOrder();
  await ok(h.ordersUrl, SHIP, { id, input: PARCEL }, admin);
  return id;
}

describe('shipOrder and markOrderDelivered', () => {
  it('moves CONFIRMED -> SHIPPED -> DELIVERED with the shipment, each with its event in the outbox', async () => {
    const id = await confirmedOrder();
    const { shipOrder } = await ok<{ shipOrder: Shipped }>(h.ordersUrl, SHIP, { id, input: { carrier: '  DHL ', trackingNumber: ' JD014600006281230042 ' } }, admin);
    expect(shipOrder).toEqual({
      id,
      status: 'SHIPPED',
      statusHistory: [
        { status: 'PENDING', at: expect.any(String) },
        { status: 'RESERVED', at: expect.any(String) },
        { status: 'CONFIRMED', at: expect.any(String) },
        { status: 'SHIPPED', at: shipOrder.shipment?.shippedAt },
      ],
      shipment: { ...PARCEL, shippedAt: expect.any(String), deliveredAt: null },
    });

    const { markOrderDelivered } = await ok<{ markOrderDelivered: Shipped }>(h.ordersUrl, DELIVER, { id }, admin);
    expect(markOrderDelivered.status).toBe('DELIVERED');
    expect(markOrderDelivered.shipment).toEqual({ ...PARCEL, shippedAt: shipOrder.shipment?.shippedAt, deliveredAt: expect.any(String) });
    expect(markOrderDelivered.statusHistory.at(-1)).toEqual({ status: 'DELIVERED', at: markOrderDelivered.shipment?.deliveredAt });
    // What a later read shows, and what the owner's shopper email and live feed are told.
    expect((await ok<{ order: Shipped }>(h.ordersUrl, ORDER, { id }, admin)).order).toEqual(markOrderDelivered);
    const order = await orderRow(h.orders, id);
    const events = (await emitted(h.orders, id)).filter((e) => e.subject === 'orders.order.shipped' || e.subject === 'orders.order.delivered');
    expect(events).toEqual([
      { subject: 'orders.order.shipped', data: { orderId: id, userId: expect.any(String), ...PARCEL } },
      { subject: 'orders.order.delivered', data: { orderId: id, userId: expect.any(String) } },
    ]);
    expect(order.status).toBe('DELIVERED');
  });

  it('refuses a customer (even the owner) with FORBIDDEN and anonymous callers with UNAUTHENTICATED, changing nothing', async () => {
    const id = await confirmedOrder();
    const [{ user_id: ownerId }] = await h.orders.database.orm.em.fork().execute<Array<{ user_id: string }>>('select user_id from orders where id = ?', [id]);
    for (const who of [actor(h.secret), actor(h.secret, 'CUSTOMER', ownerId)]) {
      expect(codes(await gql(h.ordersUrl, SHIP, { id, input: PARCEL }, who))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(h.ordersUrl, DELIVER, { id }, who))).toEqual(['FORBIDDEN']);
    }
    expect(codes(await gql(h.ordersUrl, SHIP, { id, input: PARCEL }))).toEqual(['UNAUTHENTICATED']);
    expect((await orderRow(h.orders, id)).status).toBe('CONFIRMED');
  });

  it('refuses a blank or overlong carrier or tracking number with BAD_USER_INPUT, changing nothing', async () => {
    const id = await confirmedOrder();
    for (const input of [
      { ...PARCEL, carrier: '' },
      { ...PARCEL, carrier: '   ' },
      { ...PARCEL, trackingNumber: '\t' },
      { ...PARCEL, carrier: 'c'.repeat(101) },
      { ...PARCEL, trackingNumber: '1'.repeat(101) },
    ]) {
      expect(codes(await gql(h.ordersUrl, SHIP, { id, input }, admin))).toEqual(['BAD_USER_INPUT']);
    }
    // 100 characters is still a tracking number.
    await ok(h.ordersUrl, SHIP, { id, input: { ...PARCEL, trackingNumber: '1'.repeat(100) } }, admin);
  });

  it('answers NOT_FOUND for an unknown or malformed id', async () => {
    for (const id of [uuidv7(), 'not-a-uuid']) {
      expect(codes(await gql(h.ordersUrl, SHIP, { id, input: PARCEL }, admin))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(h.ordersUrl, DELIVER, { id }, admin))).toEqual(['NOT_FOUND']);
    }
  });

  it('refuses every other status with CONFLICT, changing nothing', async () => {
    const pending = (await placeOrder(h, actor(h.secret), productId)).id;
    const reserved = (await placeOrder(h, actor(h.secret), productId)).id;
    await publishAndApply(h.orders, 'catalog.stock.reserved', { orderId: reserved, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const failed = (await placeOrder(h, actor(h.secret), productId)).id;
    await publishAndApply(h.orders, 'catalog.stock.rejected', { orderId: failed, productIds: [productId] });
    const cancelled = await confirmedOrder();
    await ok(h.ordersUrl, CANCEL, { id: cancelled }, admin);
    const confirmed = await confirmedOrder();
    const shipped = await shippedOrder();
    const delivered = await shippedOrder();
    await ok(h.ordersUrl, DELIVER, { id: delivered }, admin);

    const before = new Map<string, unknown>();
    for (const id of [pending, reserved, failed, cancelled, confirmed, shipped, delivered]) before.set(id, await orderRow(h.orders, id));
    for (const id of [pending, reserved, failed, cancelled, shipped, delivered]) {
      expect({ id, codes: codes(await gql(h.ordersUrl, SHIP, { id, input: PARCEL }, admin)) }).toEqual({ id, codes: ['CONFLICT'] });
    }
    for (const id of [pending, reserved, failed, cancelled, confirmed, delivered]) {
      expect({ id, codes: codes(await gql(h.ordersUrl, DELIVER, { id }, admin)) }).toEqual({ id, codes: ['CONFLICT'] });
    }
    for (const [id, row] of before) expect(await orderRow(h.orders, id)).toEqual(row);
  });

  it('refuses to cancel a SHIPPED or DELIVERED order with CONFLICT, for the owner and for ADMIN, and asks no refund', async () => {
    const shipped = await shippedOrder();
    const delivered = await shippedOrder();
    await ok(h.ordersUrl, DELIVER, { id: delivered }, admin);
    for (const id of [shipped, delivered]) {
      const [{ user_id: ownerId }] = await h.orders.database.orm.em.fork().execute<Array<{ user_id: string }>>('select user_id from orders where id = ?', [id]);
      const before = await orderRow(h.orders, id);
      for (const who of [admin, actor(h.secret, 'CUSTOMER', ownerId)]) {
        expect(codes(await gql(h.ordersUrl, CANCEL, { id }, who))).toEqual(['CONFLICT']);
      }
      expect(await orderRow(h.orders, id)).toEqual(before);
      expect((await emitted(h.orders, id)).map((e) => e.subject)).not.toContain('orders.refund.requested');
    }
  });

  it('ships a confirmed order once when two ADMINs race: one wins, the other gets CONFLICT', async () => {
    const id = await confirmedOrder();
    const results = await Promise.all([
      gql<{ shipOrder: Shipped }>(h.ordersUrl, SHIP, { id, input: { carrier: 'DHL', trackingNumber: 'A1' } }, admin),
      gql<{ shipOrder: Shipped }>(h.ordersUrl, SHIP, { id, input: { carrier: 'UPS', trackingNumber: 'B2' } }, actor(h.secret, 'ADMIN')),
    ]);
    expect(results.map((r) => (r.errors ? codes(r)[0] : 'OK')).sort()).toEqual(['CONFLICT', 'OK']);
    const winner = results.find((r) => !r.errors)!.data!.shipOrder.shipment;
    expect((await ok<{ order: Shipped }>(h.ordersUrl, ORDER, { id }, admin)).order.shipment).toEqual(winner);
    expect((await emitted(h.orders, id)).filter((e) => e.subject === 'orders.order.shipped')).toHaveLength(1);
  });
});
