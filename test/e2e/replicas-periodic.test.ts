import { randomUUID } from 'node:crypto';
import { createRedis, revocationKeys, uuidv7 } from '@storegraph/common';
import { SmtpSink, testRedisPrefix, waitFor } from '@storegraph/common/testing';
import { CrashingPaymentProvider } from '../../subgraphs/payments/test/support/crashing-payment-provider';
import { REVOCATION_SYNC_LOCK } from '../../subgraphs/users/src/services/revocation-sync';
import { addToCart, checkout, connect, createProduct, logIn, signUp, type StoregraphClient } from './support/client';
import { expectInvariants, expectMoneyAtProvider, waitForSettled } from './support/invariants';
import { bothOf, count, rows, startReplicas, uuidArray, type Replicas } from './support/replicas';

const TTL_SECONDS = 3;

/**
 * The periodic work of every subgraph, on two replicas whose timers run at once (short
 * intervals, so their ticks collide) and are also run by hand side by side: each piece of
 * work must be done by one replica only. Reservation expiry (catalog), the reconciliation
 * of lost provider answers (payments), the order-email sender and the revocation sync
 * (users); the outbox relays' sweepers run throughout (replicas-saga.test.ts counts them).
 */
describe('replicas: periodic work is never done twice', () => {
  let replicas: Replicas;
  let smtp: SmtpSink;
  let admin: StoregraphClient;
  // Slow captures (tok_delayed) outlive the holds; a lost answer is asked again within 50 ms.
  const provider = new CrashingPaymentProvider((TTL_SECONDS + 2) * 1000);

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    replicas = await startReplicas({
      paymentProvider: provider,
      env: {
        SMTP_URL: smtp.url,
        EMAIL_SEND_INTERVAL_MS: '20',
        RESERVATION_TTL_SECONDS: String(TTL_SECONDS),
        RESERVATION_SWEEP_INTERVAL_MS: '50',
        PAYMENT_RETRY_MIN_MS: '50',
        PAYMENT_RETRY_MAX_MS: '200',
        REVOCATION_SYNC_INTERVAL_MS: '50',
      },
    });
    const { stack } = replicas;
    admin = (await logIn(connect(stack.url), stack.admin.email, stack.admin.password)).client;
  });
  afterAll(async () => {
    await replicas?.stop();
    await smtp?.stop();
  });

  /** `perShopper` orders of one unit for each of two shoppers, one per gateway. */
  async function placeOrders(price: string, token: string, perShopper: number) {
    const product = await createProduct(admin, { price, stock: 2 * perShopper });
    const orderIds: string[] = [];
    await Promise.all(
      replicas.gatewayUrls.map(async (url) => {
        const shopper = await signUp(connect(url));
        for (let i = 0; i < perShopper; i += 1) {
          await addToCart(shopper.client, product.id, 1);
          orderIds.push(await checkout(shopper.client, token));
        }
      }),
    );
    return { orderIds, stockAtStart: new Map([[product.id, 2 * perShopper]]) };
  }

  /** How many outbox rows of `subject` each order has. */
  async function outboxPerOrder(service: 'catalog' | 'payments', subject: string, orderIds: string[]): Promise<number[]> {
    const found = await rows<{ order_id: string; n: string }>(
      replicas,
      service,
      `select envelope->'data'->>'orderId' as order_id, count(*) as n from outbox where subject = ? and envelope->'data'->>'orderId' = any(?) group by 1`,
      [subject, orderIds],
    );
    const byOrder = new Map(found.map((r) => [r.order_id, Number(r.n)]));
    return orderIds.map((id) => byOrder.get(id) ?? 0);
  }

  it('catalog: each expired hold is released by one sweeper, once', async () => {
    const sweepers = bothOf(replicas, 'catalog').map((app) => app.expirySweeper!);
    const before = sweepers.reduce((sum, s) => sum + s.expiredCount, 0);
    const { orderIds, stockAtStart } = await placeOrders('6.00', 'tok_delayed', 4);
    // Besides the ticks, both sweep by hand side by side while the holds come due.
    const deadline = Date.now() + (TTL_SECONDS + 1) * 1000;
    while (Date.now() < deadline) {
      await Promise.all(sweepers.map((s) => s.sweep()));
      await new Promise((r) => setTimeout(r, 20));
    }

    const settled = await waitForSettled(replicas.stack, orderIds, 30_000);
    expect([...settled.values()].every((status) => status === 'FAILED')).toBe(true);
    // Once each: a hold released twice would announce its expiry twice and unbalance the stock.
    // (The sweepers' counts may include holds an earlier suite's stack left in the shared database.)
    expect(await outboxPerOrder('catalog', 'catalog.reservation.expired', orderIds)).toEqual(orderIds.map(() => 1));
    expect(sweepers.reduce((sum, s) => sum + s.expiredCount, 0) - before).toBeGreaterThanOrEqual(orderIds.length);
    // The late captures are refunded once each; the stock is back, counted once.
    await waitFor(async () => (await count(replicas, 'payments', `from payments where order_id = any(?) and status = 'REFUNDED'`, [orderIds])) === orderIds.length, {
      what: 'the late captures refunded',
      timeoutMs: 30_000,
    });
    await expectMoneyAtProvider(replicas.stack, provider.inner, orderIds);
    await expectInvariants(replicas.stack, { stockAtStart, orderIds });
  });

  it('payments: each lost provider answer is asked about again by one replica, once', async () => {
    provider.loseChargeAnswersWhen((request) => request.amountMinor === 1234, 1);
    const { orderIds, stockAtStart } = await placeOrders('12.34', 'tok_visa', 4);
    const recoveries = bothOf(replicas, 'payments').map((app) => app.recovery);
    await waitFor(
      async () => {
        await Promise.all(recoveries.map((r) => r.sweep()));
        return orderIds.every((id) => provider.lost(id) === 1 && provider.inner.requestsFor(id) >= 2);
      },
      { what: 'every lost answer asked about again', timeoutMs: 20_000 },
    );
    const settled = await waitForSettled(replicas.stack, orderIds, 20_000);
    expect([...settled.values()].every((status) => status === 'CONFIRMED')).toBe(true);
    // The lost call and ONE question after it; the other replica's sweeps found it leased or settled.
    expect(orderIds.map((id) => provider.inner.requestsFor(id))).toEqual(orderIds.map(() => 2));
    expect(await outboxPerOrder('payments', 'payments.payment.captured', orderIds)).toEqual(orderIds.map(() => 1));
    await expectMoneyAtProvider(replicas.stack, provider.inner, orderIds);
    await expectInvariants(replicas.stack, { stockAtStart, orderIds });
  });

  it('users: each due order email is sent by one sender, once', async () => {
    const shopper = await signUp(connect(replicas.stack.url));
    const ids = Array.from({ length: 60 }, () => uuidv7());
    const senders = bothOf(replicas, 'users').map((app) => app.orderEmails);
    const sentBefore = senders.map((s) => s.counts.sent);
    const em = replicas.stack.subgraphs.users.database.orm.em.fork();
    for (const id of ids) {
      await em.execute(`insert into email_outbox (id, kind, order_id, user_id, details) values (?, 'order_shipped', ?, ?, ?)`, [
        id,
        randomUUID(),
        shopper.userId,
        JSON.stringify({ carrier: 'DHL', trackingNumber: id }),
      ]);
    }
    await waitFor(
      async () => {
        await Promise.all(senders.map((s) => s.run()));
        return (await count(replicas, 'users', `from email_outbox where id = any(?::uuid[]) and status = 'SENT'`, [uuidArray(ids)])) === ids.length;
      },
      { what: 'the staged emails sent', timeoutMs: 30_000 },
    );
    const wanted = new Set(ids.map((id) => `<order-email-${id}@storegraph>`));
    const delivered = smtp.messages.map((m) => m.parsed.messageId).filter((id): id is string => !!id && wanted.has(id));
    expect({ delivered: delivered.length, distinct: new Set(delivered).size }).toEqual({ delivered: ids.length, distinct: ids.length });
    // Due emails an earlier suite's stack left in the shared table may be sent too, hence at least.
    const sent = senders.map((s, i) => s.counts.sent - sentBefore[i]);
    expect(sent[0] + sent[1]).toBeGreaterThanOrEqual(ids.length);
  });

  it('users: one replica pushes the revocation list at a time, never both', async () => {
    const syncs = bothOf(replicas, 'users').map((app) => app.revocationSync);
    const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', testRedisPrefix);
    try {
      // Staged as one step no pass can see half of: Redis lost its list, and 50 revocations
      // are waiting in the table. The lock is the passes' own.
      const em = replicas.stack.subgraphs.users.database.orm.em.fork();
      const { inForce, before } = await em.transactional(async (tx) => {
        await tx.execute('select pg_advisory_xact_lock(?)', [REVOCATION_SYNC_LOCK]);
        // Expiries in whole milliseconds, as users records them (a pass marks what it pushed by key and expiry).
        const expiresAt = new Date(Date.now() + 3600_000);
        for (let i = 0; i < 50; i += 1) {
          await tx.execute('insert into revocations (key, expires_at) values (?, ?)', [revocationKeys.token(randomUUID()), expiresAt]);
        }
        await redis.del(revocationKeys.complete());
        const [{ n }] = await tx.execute<Array<{ n: string }>>('select count(*) as n from revocations where expires_at > now()');
        return { inForce: Number(n), before: syncs.map((s) => s.pushed) };
      });
      // Side by side, many times over, while the 50 ms ticks of both run too.
      for (let round = 0; round < 10; round += 1) await Promise.all(syncs.map((s) => s.run()));
      await waitFor(async () => (await redis.exists(revocationKeys.complete())) === 1, { what: 'the list complete again' });
      expect(await count(replicas, 'users', 'from revocations where published_at is null and expires_at > now()')).toBe(0);
      // One full push of the list in force: not one per replica.
      const pushed = syncs.map((s, i) => s.pushed - before[i]);
      expect(pushed[0] + pushed[1]).toBe(inForce);
    } finally {
      redis.disconnect();
    }
  });
});
