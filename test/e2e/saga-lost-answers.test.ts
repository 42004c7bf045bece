import { CancelOrderDocument, OrderDocument } from '@storegraph/sdk';
import { waitFor } from '@storegraph/common/testing';
import { CrashingPaymentProvider } from '../../subgraphs/payments/test/support/crashing-payment-provider';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, createProduct, signUp, type StoregraphClient } from './support/client';
import { expectInvariants, expectMoneyAtProvider } from './support/invariants';

/** The consumer's deliveries before a dead letter (EventConsumer's default). */
const MAX_DELIVERIES = 5;
const TTL_SECONDS = 6;

/**
 * A provider that charges and then fails to answer (a timeout, a reset), more times than
 * an event is delivered. Whatever the order does meanwhile, the money is never lost track
 * of: at the end each order was charged exactly once at the provider, it is CONFIRMED or
 * refunded exactly once, and charged minus refunded equals the total of CONFIRMED orders.
 */
describe('order saga when the provider answers are lost', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;
  const provider = new CrashingPaymentProvider(0);

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop({
      paymentProvider: provider,
      env: { RESERVATION_TTL_SECONDS: String(TTL_SECONDS), PAYMENT_RETRY_MIN_MS: '50', PAYMENT_RETRY_MAX_MS: '200' },
    }));
  });

  afterAll(() => stack?.stop());

  /** An order of one unit of a product of its own; `price` tells the provider which charge to lose. */
  async function placeOrder(price: string) {
    const product = await createProduct(admin, { price, stock: 1 });
    const shopper = await signUp(api);
    await addToCart(shopper.client, product.id, 1);
    const orderId = await checkout(shopper.client, 'tok_visa');
    return { product, shopper, orderId, stockAtStart: new Map([[product.id, 1]]) };
  }

  const amountOf = (price: string) => Math.round(Number(price) * 100);

  async function orderOf(client: StoregraphClient, orderId: string) {
    const { order } = await client.request(OrderDocument, { id: orderId });
    if (!order) throw new Error(`order ${orderId} not visible`);
    return order;
  }

  const lostMoreThanDeliveries = (key: string) =>
    waitFor(() => provider.lost(key) > MAX_DELIVERIES, { timeoutMs: 15_000, what: `more than ${MAX_DELIVERIES} lost answers for ${key}` });

  it('unknown outcome, then approved in time: CONFIRMED, charged once, nothing refunded', async () => {
    const price = '11.00';
    provider.loseChargeAnswersWhen((r) => r.amountMinor === amountOf(price), MAX_DELIVERIES + 1);
    const { shopper, orderId, stockAtStart } = await placeOrder(price);

    const order = await waitFor(
      async () => {
        const o = await orderOf(shopper.client, orderId);
        return o.status === 'CONFIRMED' ? o : undefined;
      },
      { timeoutMs: TTL_SECONDS * 1000, what: 'the order to be confirmed' },
    );
    expect(provider.lost(orderId)).toBe(MAX_DELIVERIES + 1);
    expect({ status: order.status, payment: order.payment?.status }).toEqual({ status: 'CONFIRMED', payment: 'CAPTURED' });
    await expectInvariants(stack, { stockAtStart, orderIds: [orderId] });
    await expectMoneyAtProvider(stack, provider.inner, [orderId]);
  });

  it('unknown past the reservation TTL: FAILED as RESERVATION_EXPIRED, the late charge refunded once', async () => {
    const price = '12.00';
    provider.loseChargeAnswersWhen((r) => r.amountMinor === amountOf(price));
    const { shopper, orderId, stockAtStart } = await placeOrder(price);

    const failed = await waitFor(
      async () => {
        const o = await orderOf(shopper.client, orderId);
        return o.status === 'FAILED' ? o : undefined;
      },
      { timeoutMs: (TTL_SECONDS + 10) * 1000, what: 'the reservation to expire' },
    );
    expect({ failureReason: failed.failureReason, payment: failed.payment?.status }).toEqual({
      failureReason: 'RESERVATION_EXPIRED',
      payment: 'PENDING',
    });
    await lostMoreThanDeliveries(orderId);
    provider.answerAgain(orderId);

    const order = await waitFor(
      async () => {
        const o = await orderOf(shopper.client, orderId);
        return o.payment?.status === 'REFUNDED' ? o : undefined;
      },
      { timeoutMs: 15_000, what: 'the late capture to be refunded' },
    );
    expect({ status: order.status, items: order.items.map((i) => i.product.stock) }).toEqual({ status: 'FAILED', items: [1] });
    await expectInvariants(stack, { stockAtStart, orderIds: [orderId] });
    await expectMoneyAtProvider(stack, provider.inner, [orderId]);
  });

  it('cancelled while the outcome is unknown: CANCELLED, the charge refunded once when it is known', async () => {
    const price = '13.00';
    provider.loseChargeAnswersWhen((r) => r.amountMinor === amountOf(price));
    const { shopper, orderId, stockAtStart } = await placeOrder(price);
    await lostMoreThanDeliveries(orderId);

    const { cancelOrder } = await shopper.client.request(CancelOrderDocument, { id: orderId });
    expect({ status: cancelOrder.status, payment: cancelOrder.payment?.status }).toEqual({ status: 'CANCELLED', payment: 'PENDING' });
    provider.answerAgain(orderId);

    const order = await waitFor(
      async () => {
        const o = await orderOf(shopper.client, orderId);
        return o.payment?.status === 'REFUNDED' ? o : undefined;
      },
      { timeoutMs: 15_000, what: 'the capture of the cancelled order to be refunded' },
    );
    expect(order.status).toBe('CANCELLED');
    await expectInvariants(stack, { stockAtStart, orderIds: [orderId] });
    await expectMoneyAtProvider(stack, provider.inner, [orderId]);
  });

  it("a refund's answer lost several times: refunded once", async () => {
    const { shopper, orderId, stockAtStart } = await placeOrder('14.00');
    await waitFor(async () => (await orderOf(shopper.client, orderId)).status === 'CONFIRMED', { what: 'the order to be confirmed' });
    provider.loseAnswers(`refund:${orderId}`, MAX_DELIVERIES + 2);

    await shopper.client.request(CancelOrderDocument, { id: orderId });
    const order = await waitFor(
      async () => {
        const o = await orderOf(shopper.client, orderId);
        return o.payment?.status === 'REFUNDED' ? o : undefined;
      },
      { timeoutMs: 15_000, what: 'the refund to be answered' },
    );
    expect(order.status).toBe('CANCELLED');
    expect(provider.lost(`refund:${orderId}`)).toBe(MAX_DELIVERIES + 2);
    await expectInvariants(stack, { stockAtStart, orderIds: [orderId] });
    await expectMoneyAtProvider(stack, provider.inner, [orderId]);
  });

  it('nothing went to the dead letters', () => {
    expect(stack.subgraphs.payments.events.consumer?.counts['dead-letter']).toBe(0);
  });
});
