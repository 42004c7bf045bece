import { startStack, type Stack } from './support/stack';
import { OrderDocument } from '@storegraph/sdk';
import { addToCart, checkout, connect, createProduct, logIn, signUp } from './support/client';
import { expectInvariants } from './support/invariants';
import { waitFor } from '@storegraph/common/testing';

/** A reservation that outlives its TTL while a slow provider is still charging. */
describe('reservation expiry with a slow payment', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { RESERVATION_TTL_SECONDS: '1', PAYMENT_TEST_DELAY_MS: '3000' } });
  });

  afterAll(() => stack?.stop());

  it('fails the order as RESERVATION_EXPIRED, releases the stock and refunds the late capture', async () => {
    const api = connect(stack.url);
    const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
    const product = await createProduct(admin, { price: '15.00', stock: 2 });
    const shopper = await signUp(api);
    await addToCart(shopper.client, product.id, 2);
    const orderId = await checkout(shopper.client, 'tok_delayed');

    const order = await waitFor(
      async () => {
        const { order: o } = await shopper.client.request(OrderDocument, { id: orderId });
        return o?.payment?.status === 'REFUNDED' ? o : undefined;
      },
      { timeoutMs: 20_000, what: 'the late capture to be refunded' },
    );
    expect({
      status: order.status,
      failureReason: order.failureReason,
      statusHistory: order.statusHistory.map(({ status }) => ({ status })),
      payment: { status: order.payment?.status },
      items: order.items.map((item) => ({ product: { stock: item.product.stock } })),
    }).toEqual({
      status: 'FAILED',
      failureReason: 'RESERVATION_EXPIRED',
      statusHistory: [{ status: 'PENDING' }, { status: 'RESERVED' }, { status: 'FAILED' }],
      payment: { status: 'REFUNDED' },
      items: [{ product: { stock: 2 } }],
    });
    await expectInvariants(stack, { stockAtStart: new Map([[product.id, 2]]), orderIds: [orderId] });
  });
});
