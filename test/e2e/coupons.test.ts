import { TestPaymentProvider } from '@storegraph/payments';
import {
  ApplyCouponDocument, CancelOrderDocument, CouponsDocument, CreateCouponDocument, DeactivateCouponDocument, OrderDocument,
  RemoveCouponDocument, type DiscountKind,
} from '@storegraph/sdk';
import { unique, waitFor } from '@storegraph/common/testing';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, createProduct, errorCodes, signUp, type StoregraphClient } from './support/client';
import { expectInvariants, expectMoneyAtProvider, waitForSettled } from './support/invariants';

/**
 * A discounted order through the gateway and the whole saga: payments captures exactly the
 * order's total (subtotal - discount), and a cancel refunds exactly what was captured,
 * as the provider's own ledger records it.
 */
describe('coupons end to end', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;
  const provider = new TestPaymentProvider({ delayMs: 1500 });

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop({ paymentProvider: provider }));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function coupon(kind: DiscountKind, value: string): Promise<string> {
    const code = unique('E2E');
    await admin.request(CreateCouponDocument, { input: { code, kind, value } });
    return code;
  }

  async function orderOf(client: StoregraphClient, id: string) {
    const { order } = await client.request(OrderDocument, { id });
    if (!order) throw new Error(`order ${id} is not visible`);
    return order;
  }

  it('captures exactly the discounted total, and a cancel refunds exactly it', async () => {
    const product = await createProduct(admin, { price: '19.99', stock: 10 });
    const code = await coupon('PERCENT', '15');
    const shopper = await signUp(api);
    await addToCart(shopper.client, product.id, 3); // 59.97; 15% = 8.9955 -> 9.00
    const { applyCoupon } = await shopper.client.request(ApplyCouponDocument, { code: code.toLowerCase() });
    expect(applyCoupon).toMatchObject({ coupon: code, subtotal: { amount: '59.97' }, discount: { amount: '9.00' }, total: { amount: '50.97' } });
    const orderId = await checkout(shopper.client);
    await waitForSettled(stack, [orderId]);
    const confirmed = await orderOf(shopper.client, orderId);
    expect(confirmed).toMatchObject({
      status: 'CONFIRMED',
      subtotal: { amount: '59.97' },
      discount: { amount: '9.00' },
      coupon: code,
      total: { amount: '50.97' },
      payment: { status: 'CAPTURED', amount: { amount: '50.97' } },
    });
    expect(provider.charges.filter((c) => c.idempotencyKey === orderId).map((c) => c.amountMinor)).toEqual([5097]);

    await shopper.client.request(CancelOrderDocument, { id: orderId });
    await waitFor(async () => (await orderOf(shopper.client, orderId)).payment?.status === 'REFUNDED', { timeoutMs: 15_000, what: 'the refund' });
    expect(provider.refunds.filter((r) => r.idempotencyKey === `refund:${orderId}`).map((r) => r.amountMinor)).toEqual([5097]);
    await expectMoneyAtProvider(stack, provider, [orderId]);
    await expectInvariants(stack, { stockAtStart: new Map([[product.id, 10]]), orderIds: [orderId] });
    const { coupons } = await admin.request(CouponsDocument, {});
    expect(coupons.find((c) => c.code === code)?.uses).toBe(0);
  });

  it('a FIXED coupon larger than the cart makes a 0.00 order, captured at 0.00', async () => {
    const product = await createProduct(admin, { price: '3.00', stock: 5 });
    const code = await coupon('FIXED', '10.00');
    const shopper = await signUp(api);
    await addToCart(shopper.client, product.id, 1);
    await shopper.client.request(ApplyCouponDocument, { code });
    const orderId = await checkout(shopper.client);
    await waitForSettled(stack, [orderId]);
    expect(await orderOf(shopper.client, orderId)).toMatchObject({
      status: 'CONFIRMED',
      subtotal: { amount: '3.00' },
      discount: { amount: '3.00' },
      total: { amount: '0.00' },
      payment: { status: 'CAPTURED', amount: { amount: '0.00' } },
    });
    await expectMoneyAtProvider(stack, provider, [orderId]);
  });

  it('the SDK reaches every coupon operation, and a customer gets FORBIDDEN for the ADMIN ones', async () => {
    const shopper = await signUp(api);
    const code = await coupon('PERCENT', '5');
    expect(await errorCodes(shopper.client.request(CouponsDocument, {}))).toEqual(['FORBIDDEN']);
    expect(await errorCodes(shopper.client.request(DeactivateCouponDocument, { code }))).toEqual(['FORBIDDEN']);
    expect(await errorCodes(shopper.client.request(CreateCouponDocument, { input: { code: unique('X'), kind: 'PERCENT', value: '5' } }))).toEqual(['FORBIDDEN']);
    await shopper.client.request(ApplyCouponDocument, { code });
    const { removeCoupon } = await shopper.client.request(RemoveCouponDocument, {});
    expect(removeCoupon.coupon).toBeNull();
    const { deactivateCoupon } = await admin.request(DeactivateCouponDocument, { code });
    expect(deactivateCoupon.active).toBe(false);
    expect(await errorCodes(shopper.client.request(ApplyCouponDocument, { code }))).toEqual(['BAD_USER_INPUT']);
  });
});
