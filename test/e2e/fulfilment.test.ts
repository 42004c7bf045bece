import { bearer, postGraphQL, waitFor } from '@storegraph/common/testing';
import {
  AddAddressDocument, CancelOrderDocument, CheckoutDocument, MarkOrderDeliveredDocument, OrderDocument, OrdersDocument, ShipOrderDocument,
  UpdateAddressDocument,
} from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, createProduct, errorCodes, signUp, type StoregraphClient } from './support/client';
import { follow, openSocket } from './support/live';
import { expectInvariants, waitForSettled } from './support/invariants';
import { defaultAddressReplicated } from '../../subgraphs/orders/test/support/default-address';

/**
 * Running the store through the gateway: an order ships to the address chosen at
 * checkout (the default from orders' copy of it, a named one read from users as the
 * shopper), an ADMIN ships and delivers it while the
 * shopper follows it live, lists every order, and the saga's books still balance after
 * a mixed concurrent run of ships, deliveries and cancels.
 */
describe('fulfilment through the gateway', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop());
  });

  afterAll(() => stack?.stop());

  const HOME = { name: 'Grace Hopper', line1: '1 Navy Yard', city: 'Arlington', region: 'VA', postalCode: '22202', country: 'US' };
  const PARCEL = { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' };

  it('ships to the default address as it was at checkout; the shopper follows SHIPPED and DELIVERED live, then the feed completes', async () => {
    const product = await createProduct(admin, { price: '12.00', stock: 10 });
    const shopper = await signUp(api);
    const { addAddress } = await shopper.client.request(AddAddressDocument, { input: HOME });
    // Checkout reads the default from orders' copy, which follows users' events: a
    // checkout this very moment could still see the account's "no address yet".
    await defaultAddressReplicated(stack.subgraphs.users, stack.subgraphs.orders, shopper.userId);
    await addToCart(shopper.client, product.id, 2);
    const orderId = await checkout(shopper.client);
    // Editing the address book afterwards does not move the parcel.
    await shopper.client.request(UpdateAddressDocument, { id: addAddress.id, input: { ...HOME, city: 'Elsewhere' } });
    expect((await waitForSettled(stack, [orderId])).get(orderId)).toBe('CONFIRMED');

    const socket = openSocket(stack.url, shopper.accessToken);
    const live = follow(socket, 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status shipment { carrier trackingNumber deliveredAt } user { email } } }', { id: orderId });
    await waitFor(() => live.events.length > 0, { what: 'the snapshot' });

    expect(await errorCodes(shopper.client.request(ShipOrderDocument, { id: orderId, input: PARCEL }))).toEqual(['FORBIDDEN']);
    const { shipOrder } = await admin.request(ShipOrderDocument, { id: orderId, input: PARCEL });
    expect(shipOrder).toMatchObject({ status: 'SHIPPED', shipment: { ...PARCEL, deliveredAt: null } });
    expect(await errorCodes(shopper.client.request(CancelOrderDocument, { id: orderId }))).toEqual(['CONFLICT']);
    const { markOrderDelivered } = await admin.request(MarkOrderDeliveredDocument, { id: orderId });
    expect(markOrderDelivered.status).toBe('DELIVERED');
    await live.done;
    await socket.client.dispose();

    expect(live.failure()).toBeNull();
    expect(live.events.map((e) => e.data?.orderStatusChanged)).toEqual([
      { status: 'CONFIRMED', shipment: null, user: { email: shopper.email } },
      { status: 'SHIPPED', shipment: { ...PARCEL, deliveredAt: null }, user: { email: shopper.email } },
      { status: 'DELIVERED', shipment: { ...PARCEL, deliveredAt: markOrderDelivered.shipment?.deliveredAt }, user: { email: shopper.email } },
    ]);
    const { order } = await shopper.client.request(OrderDocument, { id: orderId });
    expect(order?.shippingAddress).toEqual({ ...HOME, line2: null, phone: null });
    expect(order?.statusHistory.map((h) => h.status)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
  });

  it('ships to the default address without asking users: orders reads its copy in the checkout', async () => {
    const product = await createProduct(admin, { price: '3.00', stock: 10 });
    const shopper = await signUp(api);
    await shopper.client.request(AddAddressDocument, { input: HOME });
    await defaultAddressReplicated(stack.subgraphs.users, stack.subgraphs.orders, shopper.userId);
    await addToCart(shopper.client, product.id, 1);
    const before = stack.queryCounts().users;
    // Only orders' fields: the gateway itself has nothing to ask users either.
    const res = await postGraphQL<{ checkout: { shippingAddress: unknown } }>(
      stack.url,
      'mutation($input: CheckoutInput!) { checkout(input: $input) { id shippingAddress { name line1 city region postalCode country } } }',
      { input: { paymentToken: 'tok_visa' } },
      bearer(shopper.accessToken),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.checkout.shippingAddress).toEqual(HOME);
    expect(stack.queryCounts().users - before).toBe(0);
  });

  it("refuses another shopper's address id at checkout with NOT_FOUND, and lists orders for ADMIN only", async () => {
    const product = await createProduct(admin, { price: '3.00', stock: 10 });
    const owner = await signUp(api);
    const { addAddress } = await owner.client.request(AddAddressDocument, { input: HOME });
    const thief = await signUp(api);
    await addToCart(thief.client, product.id, 1);
    const refused = thief.client.request(CheckoutDocument, { input: { paymentToken: 'tok_visa', shippingAddressId: addAddress.id } });
    expect(await errorCodes(refused)).toEqual(['NOT_FOUND']);
    const orderId = await checkout(thief.client);

    const { orders } = await admin.request(OrdersDocument, { first: 5, filter: { userId: thief.userId } });
    expect(orders.totalCount).toBe(1);
    expect(orders.edges.map((e) => [e.node.id, e.node.user.email, e.node.shippingAddress])).toEqual([[orderId, thief.email, null]]);
    expect(await errorCodes(thief.client.request(OrdersDocument, {}))).toEqual(['FORBIDDEN']);
    expect(await errorCodes(api.request(OrdersDocument, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('keeps the books after a concurrent mix of ships, deliveries and cancels racing ships', async () => {
    const product = await createProduct(admin, { price: '7.50', stock: 40 });
    const shoppers = await Promise.all(Array.from({ length: 16 }, () => signUp(api)));
    const orderIds = await Promise.all(
      shoppers.map(async (s) => {
        await addToCart(s.client, product.id, 2);
        return checkout(s.client);
      }),
    );
    const settled = await waitForSettled(stack, orderIds, 30_000);
    expect([...settled.values()].every((status) => status === 'CONFIRMED')).toBe(true);

    // A quarter only shipped, a quarter shipped and delivered, a quarter cancelled while an ADMIN ships it, a quarter left alone.
    const outcomes = await Promise.all(
      orderIds.map(async (id, i) => {
        const shopper = shoppers[i];
        if (i % 4 === 0) return errorCodes(admin.request(ShipOrderDocument, { id, input: PARCEL }));
        if (i % 4 === 1) {
          await admin.request(ShipOrderDocument, { id, input: PARCEL });
          return errorCodes(admin.request(MarkOrderDeliveredDocument, { id }));
        }
        if (i % 4 === 2) {
          const [ship, cancel] = await Promise.all([
            errorCodes(admin.request(ShipOrderDocument, { id, input: PARCEL })),
            errorCodes(shopper.client.request(CancelOrderDocument, { id })),
          ]);
          // Exactly one of them wins; the other finds the order moved on.
          expect([ship, cancel].map((codes) => codes.join()).sort()).toEqual(['', 'CONFLICT']);
          return [];
        }
        return [];
      }),
    );
    expect(outcomes.flat()).toEqual([]);

    await expectInvariants(stack, { stockAtStart: new Map([[product.id, 40]]), orderIds, settleTimeoutMs: 30_000 });
    const final = await waitForSettled(stack, orderIds);
    const count = (status: string) => [...final.values()].filter((s) => s === status).length;
    expect(count('SHIPPED') + count('DELIVERED') + count('CANCELLED') + count('CONFIRMED')).toBe(16);
    expect(count('DELIVERED')).toBe(4);
    expect(count('CONFIRMED')).toBe(4);
    expect(count('SHIPPED') + count('CANCELLED')).toBe(8);
  });
});
