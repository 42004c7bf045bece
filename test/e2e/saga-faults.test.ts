import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type Subscription } from '@nats-io/nats-core';
import { EventBus, OutboxRelay, createLogger } from '@storegraph/common';
import { testNatsNamespace, waitFor } from '@storegraph/common/testing';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, createProduct, signUp, type StoregraphClient } from './support/client';
import { expectInvariants } from './support/invariants';

const logger = createLogger('saga-faults', 'error');
const DUPLICATE = 'Storegraph-Test-Duplicate';

/** The saga under faults: duplicated deliveries and a relay that dies after commit. */
describe('order saga under faults', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop());
  });

  afterAll(() => stack?.stop());

  async function placeOrders(tokens: string[], stock: number) {
    const product = await createProduct(admin, { price: '7.00', stock });
    const orderIds: string[] = [];
    for (const token of tokens) {
      const shopper = await signUp(api);
      await addToCart(shopper.client, product.id, 1);
      orderIds.push(await checkout(shopper.client, token));
    }
    return { product, orderIds };
  }

  it('every event delivered twice still has one effect', async () => {
    // A second copy of every saga event, under a new Nats-Msg-Id so JetStream keeps both.
    const duplicator = await EventBus.connect({ url: 'nats://127.0.0.1:4222', name: 'duplicator', namespace: testNatsNamespace, logger });
    let copies = 0;
    const sub: Subscription = duplicator.nc.subscribe(`${testNatsNamespace}.>`, {
      callback: (err, msg) => {
        if (err || msg.headers?.get(DUPLICATE) || msg.subject.startsWith(`${testNatsNamespace}.dlq.`)) return;
        const h = natsHeaders();
        h.set(DUPLICATE, '1');
        copies += 1;
        void duplicator.js.publish(msg.subject, msg.data, { msgID: `dup-${randomUUID()}`, headers: h });
      },
    });
    const before = {
      orders: stack.subgraphs.orders.events.consumer?.counts.duplicate ?? 0,
      catalog: stack.subgraphs.catalog.events.consumer?.counts.duplicate ?? 0,
      payments: stack.subgraphs.payments.events.consumer?.counts.duplicate ?? 0,
    };
    try {
      const { product, orderIds } = await placeOrders(['tok_visa', 'tok_chargeDeclined', 'tok_visa', 'tok_visa'], 3);
      await expectInvariants(stack, { stockAtStart: new Map([[product.id, 3]]), orderIds });
      expect(copies).toBeGreaterThan(orderIds.length * 4);
      await waitFor(
        () =>
          (stack.subgraphs.orders.events.consumer?.counts.duplicate ?? 0) > before.orders &&
          (stack.subgraphs.catalog.events.consumer?.counts.duplicate ?? 0) > before.catalog &&
          (stack.subgraphs.payments.events.consumer?.counts.duplicate ?? 0) > before.payments,
        { what: 'every consumer to have skipped duplicates' },
      );
    } finally {
      sub.unsubscribe();
      await duplicator.close();
    }
  });

  it('orders complete when the relay died between commit and publish', async () => {
    const events = stack.subgraphs.orders.events;
    await events.relay?.stop();
    const { product, orderIds } = await placeOrders(['tok_visa', 'tok_visa'], 5);
    const [pending] = await stack.subgraphs.orders.database.orm.em
      .fork()
      .execute<Array<{ n: string }>>(
        `select count(*) as n from outbox where published_at is null and envelope->'data'->>'orderId' in (?)`,
        [orderIds],
      );
    expect(Number(pending.n)).toBeGreaterThanOrEqual(2);
    // A new process comes up: its relay's sweeper finds the committed, unpublished rows.
    const relay = new OutboxRelay({ orm: stack.subgraphs.orders.database.orm, bus: events.bus, logger, sweepIntervalMs: 200 });
    relay.start();
    try {
      await expectInvariants(stack, { stockAtStart: new Map([[product.id, 5]]), orderIds });
    } finally {
      await relay.stop();
    }
  });
});
