import { randomUUID } from 'node:crypto';
import { uuidv7, type EventEnvelope } from '@storegraph/common';
import { SmtpSink, waitFor } from '@storegraph/common/testing';
import { CancelOrderDocument } from '@storegraph/sdk';
import type { TestPaymentProvider } from '@storegraph/payments';
import { addToCart, checkout, connect, createProduct, logIn, signUp } from './support/client';
import { expectInvariants, expectMoneyAtProvider, waitForSettled } from './support/invariants';
import { waitForOrderEmails } from './support/emails';
import { bothOf, count, rows, startReplicas, streamEnvelopeIds, uuidArray, type Replicas, type SubgraphName } from './support/replicas';

const SHOPPERS = 8;
const ORDERS_EACH = 3;

/**
 * A burst of orders through two replicas of everything: the shoppers alternate between the
 * gateways (so between the orders, and every other, replicas), and every durable consumer,
 * outbox relay and email sender runs twice. Each event must be applied once (inbox rows
 * equal the events both replicas applied; stock, money and emails counted once), both
 * replicas of each consumer must take part, and each outbox row must be in its stream once.
 */
describe('replicas: the saga on two replicas of every service', () => {
  let replicas: Replicas;
  let smtp: SmtpSink;
  let since: Date;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    // Before the replicas start, not after: their consumers count from the moment they
    // start, and what they apply then is ours to count too. The databases are shared with
    // earlier suites, and a saga an earlier stack left halfway (stopped or killed between
    // commit and publish) is finished by these replicas as they start (the sweepers
    // publish its rows and the consumers apply them once, inbox rows and all), so a window
    // opened after the start counted those events in `applied` but not in the inbox.
    // The earlier stacks have stopped by now, so nothing else writes this window.
    since = new Date();
    replicas = await startReplicas({ env: { SMTP_URL: smtp.url, EMAIL_SEND_INTERVAL_MS: '50' } });
  });
  afterAll(async () => {
    await replicas?.stop();
    await smtp?.stop();
  });

  it('applies each event once, spreads the consumers over both replicas and stores each outbox row once', async () => {
    const { stack } = replicas;
    const admin = (await logIn(connect(stack.url), stack.admin.email, stack.admin.password)).client;
    const products = [await createProduct(admin, { price: '2.00', stock: 200 }), await createProduct(admin, { price: '3.50', stock: 200 })];
    const stockAtStart = new Map(products.map((p) => [p.id, 200]));

    const orderIds: string[] = [];
    const cancelled: string[] = [];
    const cancels: Array<() => Promise<unknown>> = [];
    await Promise.all(
      Array.from({ length: SHOPPERS }, async (_, n) => {
        const shopper = await signUp(connect(replicas.gatewayUrls[n % 2]));
        for (let i = 0; i < ORDERS_EACH; i += 1) {
          await addToCart(shopper.client, products[(n + i) % 2].id, 1 + i);
          const id = await checkout(shopper.client);
          orderIds.push(id);
          if (i === 0) {
            cancelled.push(id);
            cancels.push(() => shopper.client.request(CancelOrderDocument, { id }));
          }
        }
      }),
    );
    // A cancellation per shopper, through its gateway: refunds and cancelled emails travel the saga too.
    await waitForSettled(stack, orderIds, 30_000);
    await Promise.all(cancels.map((cancel) => cancel()));
    await waitFor(
      async () => (await count(replicas, 'orders', `from orders where id = any(?::uuid[]) and status = 'CANCELLED'`, [uuidArray(cancelled)])) === cancelled.length,
      { what: 'the cancellations', timeoutMs: 20_000 },
    );
    await waitForSettled(stack, orderIds, 30_000);
    await expectInvariants(stack, { stockAtStart, orderIds });
    await expectMoneyAtProvider(stack, stack.subgraphs.payments.provider as TestPaymentProvider, orderIds);
    await waitForOrderEmails(stack, orderIds);

    // Consumers: both replicas applied events, and together exactly the inbox's rows (acks trail a little).
    const services: SubgraphName[] = ['catalog', 'orders', 'payments', 'users'];
    const consumers = async () => {
      const found: Record<string, { first: number; second: number; inbox: number }> = {};
      for (const service of services) {
        const [first, second] = bothOf(replicas, service).map((app) => app.events.consumer!.counts.applied);
        const inbox = await count(replicas, service, 'from processed_events where consumer = ? and processed_at >= ?', [service, since]);
        found[service] = { first, second, inbox };
      }
      return found;
    };
    await waitFor(async () => Object.values(await consumers()).every((c) => c.first + c.second === c.inbox), {
      what: "the consumers' counts to match the inbox",
      timeoutMs: 10_000,
    }).catch(() => undefined);
    const applied = await consumers();
    for (const [service, { first, second, inbox }] of Object.entries(applied)) {
      expect({ service, together: first + second, firstTookPart: first > 0, secondTookPart: second > 0 }).toEqual({
        service,
        together: inbox,
        firstTookPart: true,
        secondTookPart: true,
      });
    }

    // Emails: each owed email sent once, whichever sender claimed it.
    const owed = await rows<{ id: string; status: string }>(replicas, 'users', 'select id, status from email_outbox where order_id = any(?::uuid[])', [
      uuidArray(orderIds),
    ]);
    expect(owed.length).toBe(orderIds.length + cancelled.length);
    expect(owed.every((e) => e.status === 'SENT')).toBe(true);
    const delivered = smtp.messages.map((m) => m.parsed.messageId).filter((id): id is string => !!id && id.startsWith('<order-email-'));
    const owedIds = owed.map((e) => `<order-email-${e.id}@storegraph>`);
    expect(delivered.filter((id) => owedIds.includes(id)).sort()).toEqual([...owedIds].sort());
    const [sentFirst, sentSecond] = bothOf(replicas, 'users').map((app) => app.orderEmails.counts.sent);
    expect(sentFirst + sentSecond).toBeGreaterThanOrEqual(owed.length);

    // Relays: every outbox row of this run published, and in its stream exactly once.
    for (const [service, stream] of [['orders', 'ORDERS'], ['catalog', 'CATALOG'], ['payments', 'PAYMENTS']] as const) {
      const outbox = await rows<{ id: string; published: boolean }>(
        replicas,
        service,
        'select id, published_at is not null as published from outbox where created_at >= ?',
        [since],
      );
      await waitFor(async () => (await streamEnvelopeIds(replicas, stream)).length >= outbox.length, { what: `${stream} holding the outbox` });
      const stored = await streamEnvelopeIds(replicas, stream);
      const times = new Map<string, number>();
      for (const id of stored) times.set(id, (times.get(id) ?? 0) + 1);
      const notOnce = outbox.filter((row) => times.get(row.id) !== 1).map((row) => ({ id: row.id, times: times.get(row.id) ?? 0 }));
      expect({ stream, rows: outbox.length > 0, notOnce, repeated: stored.length - times.size }).toEqual({ stream, rows: true, notOnce: [], repeated: 0 });
    }
  });

  it('two relays publishing the same rows at once, by both paths: each stored once, all marked', async () => {
    // Rows a crashed process left unpublished (older than the sweepers' grace period), of a
    // subject no durable applies; both replicas are handed them as committed too, as both
    // catalog listeners are for a row its triggers write.
    const envelopes: EventEnvelope[] = Array.from({ length: 150 }, () => ({
      id: uuidv7(),
      subject: 'catalog.products.changed',
      version: 1,
      occurredAt: new Date().toISOString(),
      data: { productIds: [randomUUID()], lists: false, stock: null, sequence: null },
    }));
    const em = replicas.stack.subgraphs.catalog.database.orm.em.fork();
    await em.execute(
      `insert into outbox (id, subject, envelope, created_at)
       select (e->>'id')::uuid, e->>'subject', e, now() - interval '1 minute' from jsonb_array_elements(?::jsonb) as e`,
      [JSON.stringify(envelopes)],
    );
    const relays = bothOf(replicas, 'catalog').map((app) => app.events.relay!);
    for (const relay of relays) relay.committed(envelopes);
    await Promise.all([...relays.map((relay) => relay.drain(0)), ...relays.map((relay) => relay.drain(0))]);

    const ids = envelopes.map((e) => e.id);
    await waitFor(
      async () => (await count(replicas, 'catalog', 'from outbox where id = any(?::uuid[]) and published_at is not null', [uuidArray(ids)])) === ids.length,
      { what: 'every staged row marked published' },
    );
    const stored = await streamEnvelopeIds(replicas, 'CATALOG');
    const wanted = new Set(ids);
    const ours = stored.filter((id) => wanted.has(id));
    expect({ stored: ours.length, distinct: new Set(ours).size }).toEqual({ stored: ids.length, distinct: ids.length });
  });
});
