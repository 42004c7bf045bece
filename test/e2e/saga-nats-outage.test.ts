import { startStack, type Stack } from './support/stack';
import { addToCart, checkout, connect, createProduct, logIn, signUp } from './support/client';
import { expectInvariants } from './support/invariants';
import { freeTcpPort } from '@storegraph/common/testing';
import { OwnNatsServer } from './support/nats-server';

/**
 * The broker goes away in the middle of business. Checkouts keep succeeding (the events
 * wait in the outboxes), and once NATS is back every order completes.
 */
describe('order saga across a NATS outage', () => {
  let nats: OwnNatsServer;
  let stack: Stack;

  beforeAll(async () => {
    nats = new OwnNatsServer(await freeTcpPort());
    await nats.start();
    stack = await startStack({ env: { NATS_URL: nats.url } });
  });

  afterAll(async () => {
    await stack?.stop();
    await nats?.stop();
    nats?.remove();
  });

  it('completes orders placed while NATS was down, once it is back', async () => {
    const api = connect(stack.url);
    const admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
    const product = await createProduct(admin, { price: '8.00', stock: 20 });
    const orderIds: string[] = [];
    const buy = async (token: string) => {
      const shopper = await signUp(api);
      await addToCart(shopper.client, product.id, 1);
      orderIds.push(await checkout(shopper.client, token));
    };

    await buy('tok_visa');
    await nats.stop();
    for (const token of ['tok_visa', 'tok_mastercard', 'tok_chargeDeclined', 'tok_visa']) await buy(token);
    await new Promise((r) => setTimeout(r, 1500));
    await nats.start();

    await expectInvariants(stack, { stockAtStart: new Map([[product.id, 20]]), orderIds });
  });
});
