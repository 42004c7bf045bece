import { uuidv7, type EventEnvelope, type Subject } from '@storegraph/common';
import { postGraphQL, waitFor } from '@storegraph/common/testing';
import { CrashingPaymentProvider } from '../support/crashing-payment-provider';
import { envelope, startPayments, testPaymentsConfig, type PaymentsHarness } from '../support/harness';

/**
 * Payments' part of the saga, driven through its events exactly as orders drives it
 * (envelopes published on the ORDERS stream) and observed on the wire (payments.>), with
 * real PostgreSQL and NATS. Every test ends by checking the invariant: per order at most
 * one payment row, and at most one charge at the provider.
 */
let payments: PaymentsHarness;
let provider: CrashingPaymentProvider;
const touched = new Set<string>();

beforeAll(async () => {
  provider = new CrashingPaymentProvider(testPaymentsConfig().paymentTestDelayMs);
  // Recovery sweeps only when a test asks: a staged interrupted capture must wait for it.
  payments = await startPayments({ provider, recoverySweeps: false });
});
afterAll(async () => {
  await payments?.stop();
});

interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  amount_minor: number;
  currency: string;
  status: string;
  failure_reason: string | null;
  provider_ref: string | null;
  refund_ref: string | null;
  payment_token: string | null;
}

const DELAY_MS = 200;
/** The consumer's deliveries before a dead letter (EventConsumer's default). */
const MAX_DELIVERIES = 5;

function reserved(paymentToken: string, orderId = uuidv7(), userId = uuidv7()): EventEnvelope<'orders.order.reserved'> {
  touched.add(orderId);
  return envelope('orders.order.reserved', { orderId, userId, amountMinor: 2599, currency: 'USD', paymentToken });
}

const refundRequested = (orderId: string) => envelope('orders.refund.requested', { orderId });

async function rows(orderId: string): Promise<PaymentRow[]> {
  return payments.app.database.orm.em.fork().execute<PaymentRow[]>('select * from payments where order_id = ?', [orderId]);
}

/** The order's payment once its attempt is settled (CAPTURED or FAILED). */
const settled = (orderId: string) =>
  waitFor(
    async () => {
      const [row] = await rows(orderId);
      return row && row.status !== 'PENDING' ? row : undefined;
    },
    { what: `the settled payment of ${orderId}` },
  );

function emitted<S extends Subject>(subject: S, orderId: string): Array<EventEnvelope<S>> {
  return payments.emitted.filter(
    (e): e is EventEnvelope<S> => e.subject === subject && (e.data as { orderId?: string }).orderId === orderId,
  );
}

const emittedOnce = <S extends Subject>(subject: S, orderId: string) =>
  waitFor(() => emitted(subject, orderId)[0], { what: `${subject} for ${orderId}` });

/** Waits until the consumer has finished with n more deliveries than at `since`. */
const handledSince = (since: number, n: number) =>
  waitFor(() => payments.handled() >= since + n, { what: `${n} deliveries to be handled` });

/** Rows in payments' outbox about the order: what it emitted or will emit, relay or not. */
async function outbox(orderId: string): Promise<string[]> {
  const found = await payments.app.database.orm.em.fork().execute<Array<{ subject: string }>>(
    `select subject from outbox where envelope->'data'->>'orderId' = ? order by id`,
    [orderId],
  );
  return found.map((r) => r.subject);
}

/** Sweeps by hand (periodic sweeps are off here) until `done` holds: each due call is asked about again. */
const reconcileUntil = <T>(done: () => Promise<T | undefined | false> | T | undefined | false, what: string) =>
  waitFor(
    async () => {
      await payments.app.recovery.sweep();
      return done();
    },
    { what },
  );

/** The payment row's bookkeeping of its outstanding provider call. */
async function outstanding(orderId: string) {
  const em = payments.app.database.orm.em.fork();
  const [row] = await em.execute<Array<{ attempts: number; next_attempt_at: string | null; last_error: string | null; refund_requested_at: string | null }>>(
    'select attempts, next_attempt_at, last_error, refund_requested_at from payments where order_id = ?',
    [orderId],
  );
  return row;
}

async function expectAtMostOneCapture(orderId: string): Promise<void> {
  expect((await rows(orderId)).length).toBeLessThanOrEqual(1);
  expect(provider.inner.chargesFor(orderId)).toBeLessThanOrEqual(1);
}

const ORDER_PAYMENT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment {
  id status failureReason amount { amount currency } } } } }`;

const orderPayment = (orderId: string, userId: string) =>
  postGraphQL(url(), ORDER_PAYMENT, { r: [{ __typename: 'Order', id: orderId }] }, payments.as(userId));
const url = () => payments.url;

/** What the owner sees as Order.payment (every test order is 25.99 USD). */
const shown = (orderId: string, payment: { id: string; status: string; failureReason: string | null }) => ({
  data: { _entities: [{ id: orderId, payment: { ...payment, amount: { amount: '25.99', currency: 'USD' } } }] },
});

describe('capture (orders.order.reserved)', () => {
  it('captures an approved card and tells catalog and orders', async () => {
    const event = reserved('tok_visa');
    const { orderId, userId } = event.data;
    await payments.publish(event);

    const captured = await emittedOnce('payments.payment.captured', orderId);
    const [row] = await rows(orderId);
    expect(row).toMatchObject({ status: 'CAPTURED', user_id: userId, amount_minor: 2599, currency: 'USD', failure_reason: null });
    expect(captured.data).toEqual({ orderId, paymentId: row.id, amountMinor: 2599 });
    const [charge] = provider.inner.charges.filter((c) => c.idempotencyKey === orderId);
    expect(charge).toMatchObject({ token: 'tok_visa', amountMinor: 2599, currency: 'USD' });
    expect(charge.result).toEqual({ status: 'approved', reference: row.provider_ref });
    // Never any card data: no column holds the token.
    expect(JSON.stringify(row)).not.toContain('tok_visa');

    expect(await orderPayment(orderId, userId)).toEqual(shown(orderId, { id: row.id, status: 'CAPTURED', failureReason: null }));
    expect(await orderPayment(orderId, uuidv7())).toEqual({ data: { _entities: [{ id: orderId, payment: null }] } });
    await expectAtMostOneCapture(orderId);
  });

  it.each([
    ['tok_chargeDeclined', 'Your card was declined.'],
    ['tok_insufficientFunds', 'Your card has insufficient funds.'],
    ['tok_fromSomewhereElse', 'Unknown payment token'],
  ])('fails %s with the provider reason', async (token, reason) => {
    const event = reserved(token);
    const { orderId, userId } = event.data;
    await payments.publish(event);

    const failed = await emittedOnce('payments.payment.failed', orderId);
    const [row] = await rows(orderId);
    expect(row).toMatchObject({ status: 'FAILED', failure_reason: reason, provider_ref: null });
    expect(failed.data).toEqual({ orderId, paymentId: row.id, reason });
    expect(emitted('payments.payment.captured', orderId)).toEqual([]);
    expect(await orderPayment(orderId, userId)).toEqual(shown(orderId, { id: row.id, status: 'FAILED', failureReason: reason }));
    await expectAtMostOneCapture(orderId);
  });

  it('waits PAYMENT_TEST_DELAY_MS for tok_delayed, without holding up other orders', async () => {
    const slow = reserved('tok_delayed');
    const fast = reserved('tok_mastercard');
    const started = Date.now();
    await payments.publish(slow);
    await payments.publish(fast);

    await emittedOnce('payments.payment.captured', fast.data.orderId);
    expect(emitted('payments.payment.captured', slow.data.orderId)).toEqual([]);
    // The attempt is committed while the provider thinks: visible as PENDING, no transaction held.
    expect((await rows(slow.data.orderId))[0]).toMatchObject({ status: 'PENDING', payment_token: 'tok_delayed' });
    await emittedOnce('payments.payment.captured', slow.data.orderId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(DELAY_MS);
    expect(await settled(slow.data.orderId)).toMatchObject({ status: 'CAPTURED', payment_token: null });
    await expectAtMostOneCapture(slow.data.orderId);
    await expectAtMostOneCapture(fast.data.orderId);
  });

  it('applies a redelivered event once: one payment, one charge', async () => {
    const event = reserved('tok_visa');
    const { orderId } = event.data;
    const before = payments.handled();
    const duplicates = payments.app.events.consumer?.counts.duplicate ?? 0;
    await payments.publish(event);
    // The same envelope under another Nats-Msg-Id: JetStream keeps both, the inbox drops one.
    await payments.publish(event, `again-${event.id}`);

    await handledSince(before, 2);
    expect(payments.app.events.consumer?.counts.duplicate).toBe(duplicates + 1);
    await emittedOnce('payments.payment.captured', orderId);
    expect(await rows(orderId)).toHaveLength(1);
    expect(provider.inner.requestsFor(orderId)).toBe(1);
    expect(emitted('payments.payment.captured', orderId)).toHaveLength(1);
    expect(await outbox(orderId)).toEqual(['payments.payment.captured']);
    await expectAtMostOneCapture(orderId);
  });

  it('keeps the first attempt when orders sends another reserved event for the order', async () => {
    const first = reserved('tok_visa');
    const { orderId, userId } = first.data;
    await payments.publish(first);
    await emittedOnce('payments.payment.captured', orderId);

    // A retry upstream: a new event id, even another token; the order already has its attempt.
    const before = payments.handled();
    await payments.publish(reserved('tok_chargeDeclined', orderId, userId));
    await handledSince(before, 1);

    const [row] = await rows(orderId);
    expect(row.status).toBe('CAPTURED');
    expect(provider.inner.requestsFor(orderId)).toBe(1);
    expect(await outbox(orderId)).toEqual(['payments.payment.captured']);
    await expectAtMostOneCapture(orderId);
  });

  it('lets one of two concurrent reserved events for one order charge; the other finds its attempt and does nothing', async () => {
    const first = reserved('tok_delayed');
    const { orderId, userId } = first.data;
    const before = payments.handled();
    // Both are in flight at once: the unique order_id lets one attempt in.
    await Promise.all([payments.publish(first), payments.publish(reserved('tok_delayed', orderId, userId))]);

    await handledSince(before, 2);
    expect(await rows(orderId)).toHaveLength(1);
    expect((await rows(orderId))[0].status).toBe('CAPTURED');
    expect(provider.inner.requestsFor(orderId)).toBe(1);
    expect(await outbox(orderId)).toEqual(['payments.payment.captured']);
    await expectAtMostOneCapture(orderId);
  });

  it('charges again with the same key after a lost answer, so the provider charges once', async () => {
    const event = reserved('tok_visa');
    const { orderId } = event.data;
    provider.crashOnceAfter(orderId);
    const before = payments.handled();
    await payments.publish(event);
    await handledSince(before, 1);
    // The event is handled; the attempt stays PENDING and is asked about again.
    expect((await rows(orderId))[0]).toMatchObject({ status: 'PENDING', payment_token: 'tok_visa' });

    const captured = await reconcileUntil(() => emitted('payments.payment.captured', orderId)[0], `the capture of ${orderId}`);
    const [row] = await rows(orderId);
    expect(captured.data.paymentId).toBe(row.id);
    // The provider was asked twice (the first answer was lost) and charged once.
    expect(provider.inner.requestsFor(orderId)).toBe(2);
    expect(provider.inner.chargesFor(orderId)).toBe(1);
    const charge = provider.inner.charges.find((c) => c.idempotencyKey === orderId);
    expect(charge?.result).toEqual({ status: 'approved', reference: row.provider_ref });
    expect(await outbox(orderId)).toEqual(['payments.payment.captured']);
    await expectAtMostOneCapture(orderId);
  });

  it.each([
    ['tok_visa', 'CAPTURED', 'payments.payment.captured'],
    ['tok_chargeDeclined', 'FAILED', 'payments.payment.failed'],
  ] as const)(
    'keeps a %s capture whose answer is lost more often than an event is delivered PENDING, until the provider answers',
    async (token, status, subject) => {
      const event = reserved(token);
      const { orderId } = event.data;
      provider.loseAnswers(orderId);
      const counts = { ...(payments.app.events.consumer?.counts ?? {}) };
      await payments.publish(event);

      await reconcileUntil(() => provider.lost(orderId) > MAX_DELIVERIES, `more than ${MAX_DELIVERIES} lost answers`);
      // Never taken back, never dead-lettered: the event was handled once and the attempt is kept.
      expect(payments.app.events.consumer?.counts).toMatchObject({
        applied: (counts.applied ?? 0) + 1,
        retry: counts.retry,
        'dead-letter': counts['dead-letter'],
      });
      expect(await rows(orderId)).toEqual([expect.objectContaining({ status: 'PENDING', payment_token: token })]);
      expect(await outstanding(orderId)).toMatchObject({
        attempts: provider.lost(orderId),
        next_attempt_at: expect.any(String),
        last_error: expect.stringContaining('lost answer'),
      });
      expect(await outbox(orderId)).toEqual([]);

      provider.answerAgain(orderId);
      await reconcileUntil(() => emitted(subject, orderId)[0], `${subject} for ${orderId}`);
      expect((await rows(orderId))[0]).toMatchObject({ status, payment_token: null });
      expect(await outstanding(orderId)).toMatchObject({ attempts: 0, next_attempt_at: null, last_error: null });
      expect(provider.inner.chargesFor(orderId)).toBe(1);
      expect(provider.inner.requestsFor(orderId)).toBe(provider.lost(orderId) + 1);
      await payments.app.recovery.sweep();
      expect(provider.inner.requestsFor(orderId)).toBe(provider.lost(orderId) + 1);
      expect(await outbox(orderId)).toEqual([subject]);
      await expectAtMostOneCapture(orderId);
    },
  );

  it('captures through its step: no handler transaction held across the provider call', async () => {
    const steps = payments.app.events.consumer?.stepsApplied ?? 0;
    const event = reserved('tok_visa');
    await payments.publish(event);
    await emittedOnce('payments.payment.captured', event.data.orderId);
    expect(payments.app.events.consumer?.stepsApplied).toBe(steps + 1);
    await expectAtMostOneCapture(event.data.orderId);
  });

  it('resumes a capture a crash left PENDING: charged again with its key, settled once, announced once', async () => {
    // The state a process leaves when it dies during the provider call: the event recorded
    // as handled, the attempt PENDING with its token, the charge made at the provider.
    const event = reserved('tok_visa');
    const { orderId, userId } = event.data;
    const charged = await provider.inner.charge({ idempotencyKey: orderId, token: 'tok_visa', amountMinor: 2599, currency: 'USD' });
    const em = payments.app.database.orm.em.fork();
    await em.execute(`insert into processed_events (event_id, consumer, subject) values (?, 'payments', 'orders.order.reserved')`, [event.id]);
    await em.execute(
      `insert into payments (id, order_id, user_id, amount_minor, currency, status, payment_token, updated_at)
       values (?, ?, ?, 2599, 'USD', 'PENDING', 'tok_visa', now() - interval '10 minutes')`,
      [uuidv7(), orderId, userId],
    );
    // Its redelivery is a duplicate: nothing charged, nothing settled.
    const before = payments.handled();
    await payments.publish(event);
    await handledSince(before, 1);
    expect((await rows(orderId))[0].status).toBe('PENDING');

    expect(await payments.app.recovery.sweep()).toBeGreaterThanOrEqual(1);
    const captured = await emittedOnce('payments.payment.captured', orderId);
    const [row] = await rows(orderId);
    expect(row).toMatchObject({ status: 'CAPTURED', payment_token: null, provider_ref: charged.status === 'approved' ? charged.reference : 'none' });
    expect(captured.data).toEqual({ orderId, paymentId: row.id, amountMinor: 2599 });
    expect(provider.inner.requestsFor(orderId)).toBe(2);
    expect(provider.inner.chargesFor(orderId)).toBe(1);

    // Settled: a later sweep leaves it alone.
    await payments.app.recovery.sweep();
    expect(provider.inner.requestsFor(orderId)).toBe(2);
    expect(await outbox(orderId)).toEqual(['payments.payment.captured']);
    await expectAtMostOneCapture(orderId);
  });

  it('settles many orders at once, each with at most one charge', async () => {
    const tokens = ['tok_visa', 'tok_mastercard', 'tok_chargeDeclined', 'tok_delayed', 'tok_insufficientFunds'];
    const events = Array.from({ length: 40 }, (_, i) => reserved(tokens[i % tokens.length]));
    // Every fourth order is also delivered a second time, under another event id.
    const retries = events
      .filter((_, i) => i % 4 === 0)
      .map((e) => reserved(e.data.paymentToken, e.data.orderId, e.data.userId));
    await Promise.all([...events, ...retries].map((e) => payments.publish(e)));

    for (const event of events) {
      const { orderId } = event.data;
      const approved = !['tok_chargeDeclined', 'tok_insufficientFunds'].includes(event.data.paymentToken);
      await emittedOnce(approved ? 'payments.payment.captured' : 'payments.payment.failed', orderId);
    }
    for (const event of events) {
      expect(await outbox(event.data.orderId)).toHaveLength(1);
      await expectAtMostOneCapture(event.data.orderId);
    }
  });
});

describe('refund (orders.refund.requested)', () => {
  async function capturedOrder(): Promise<{ orderId: string; userId: string; row: PaymentRow }> {
    const event = reserved('tok_visa');
    await payments.publish(event);
    await emittedOnce('payments.payment.captured', event.data.orderId);
    return { ...event.data, row: (await rows(event.data.orderId))[0] };
  }

  it('refunds a capture once, however often it is requested', async () => {
    const { orderId, userId, row } = await capturedOrder();
    const before = payments.handled();
    await Promise.all([payments.publish(refundRequested(orderId)), payments.publish(refundRequested(orderId))]);

    const refunded = await emittedOnce('payments.payment.refunded', orderId);
    await handledSince(before, 2);
    expect(refunded.data).toEqual({ orderId, paymentId: row.id, amountMinor: 2599 });
    const [after] = await rows(orderId);
    const refunds = provider.inner.refundsFor(row.provider_ref ?? '');
    expect(refunds).toEqual([
      { idempotencyKey: `refund:${orderId}`, chargeReference: row.provider_ref, amountMinor: 2599, reference: after.refund_ref },
    ]);
    expect(after).toMatchObject({ status: 'REFUNDED', provider_ref: row.provider_ref });

    // A later request finds nothing CAPTURED.
    const later = payments.handled();
    await payments.publish(refundRequested(orderId));
    await handledSince(later, 1);
    expect(provider.inner.refundsFor(row.provider_ref ?? '')).toHaveLength(1);
    expect(await outbox(orderId)).toEqual(['payments.payment.captured', 'payments.payment.refunded']);
    expect(await orderPayment(orderId, userId)).toMatchObject({ data: { _entities: [{ payment: { status: 'REFUNDED' } }] } });
    await expectAtMostOneCapture(orderId);
  });

  it('does nothing for a payment that was never captured, or an order without one', async () => {
    const declined = reserved('tok_chargeDeclined');
    const { orderId } = declined.data;
    await payments.publish(declined);
    await emittedOnce('payments.payment.failed', orderId);
    const unpaid = uuidv7();
    touched.add(unpaid);

    const before = payments.handled();
    await payments.publish(refundRequested(orderId));
    await payments.publish(refundRequested(unpaid));
    await handledSince(before, 2);

    expect((await rows(orderId))[0]).toMatchObject({ status: 'FAILED', refund_ref: null });
    expect(await rows(unpaid)).toEqual([]);
    expect(await outbox(orderId)).toEqual(['payments.payment.failed']);
    expect(await outbox(unpaid)).toEqual([]);
    const keys = [`refund:${orderId}`, `refund:${unpaid}`];
    expect(provider.inner.refunds.filter((r) => keys.includes(r.idempotencyKey))).toEqual([]);
    await expectAtMostOneCapture(orderId);
    await expectAtMostOneCapture(unpaid);
  });

  it('refunds again with the same key after a lost answer, so the provider refunds once', async () => {
    const { orderId, row } = await capturedOrder();
    provider.crashOnceAfter(`refund:${orderId}`);
    await payments.publish(refundRequested(orderId));

    await reconcileUntil(() => emitted('payments.payment.refunded', orderId)[0], `the refund of ${orderId}`);
    const [after] = await rows(orderId);
    const refunds = provider.inner.refundsFor(row.provider_ref ?? '');
    expect(refunds).toHaveLength(1);
    expect(after).toMatchObject({ status: 'REFUNDED', refund_ref: refunds[0].reference });
    expect(await outbox(orderId)).toEqual(['payments.payment.captured', 'payments.payment.refunded']);
    await expectAtMostOneCapture(orderId);
  });

  it('keeps a refund whose answer is lost more often than an event is delivered, until the provider answers', async () => {
    const { orderId, row } = await capturedOrder();
    const key = `refund:${orderId}`;
    provider.loseAnswers(key);
    const deadLetters = payments.app.events.consumer?.counts['dead-letter'] ?? 0;
    const before = payments.handled();
    await payments.publish(refundRequested(orderId));
    await handledSince(before, 1);

    await reconcileUntil(() => provider.lost(key) > MAX_DELIVERIES, `more than ${MAX_DELIVERIES} lost refund answers`);
    // Still owed, still known: CAPTURED with the refund outstanding, shown as CAPTURED, not REFUNDED.
    expect((await rows(orderId))[0]).toMatchObject({ status: 'CAPTURED', refund_ref: null });
    expect(await outstanding(orderId)).toMatchObject({
      attempts: provider.lost(key),
      next_attempt_at: expect.any(String),
      last_error: expect.stringContaining('lost answer'),
      refund_requested_at: expect.any(String),
    });
    expect(emitted('payments.payment.refunded', orderId)).toEqual([]);

    provider.answerAgain(key);
    const refunded = await reconcileUntil(() => emitted('payments.payment.refunded', orderId)[0], `the refund of ${orderId}`);
    expect(refunded.data).toEqual({ orderId, paymentId: row.id, amountMinor: 2599 });
    const refunds = provider.inner.refundsFor(row.provider_ref ?? '');
    expect(refunds).toHaveLength(1);
    expect((await rows(orderId))[0]).toMatchObject({ status: 'REFUNDED', refund_ref: refunds[0].reference });
    expect(await outstanding(orderId)).toMatchObject({ attempts: 0, next_attempt_at: null, last_error: null });
    expect(payments.app.events.consumer?.counts['dead-letter']).toBe(deadLetters);

    // Settled: later sweeps ask nothing more.
    await payments.app.recovery.sweep();
    expect(provider.inner.refundsFor(row.provider_ref ?? '')).toHaveLength(1);
    expect(await outbox(orderId)).toEqual(['payments.payment.captured', 'payments.payment.refunded']);
  });

  it('remembers a refund requested while the capture is unanswered, and refunds once it turns out charged', async () => {
    const event = reserved('tok_visa');
    const { orderId } = event.data;
    provider.loseAnswers(orderId);
    const before = payments.handled();
    await payments.publish(event);
    await handledSince(before, 1);
    await payments.publish(refundRequested(orderId));
    await handledSince(before, 2);
    expect((await rows(orderId))[0]).toMatchObject({ status: 'PENDING' });
    expect((await outstanding(orderId)).refund_requested_at).toEqual(expect.any(String));

    provider.answerAgain(orderId);
    await reconcileUntil(() => emitted('payments.payment.refunded', orderId)[0], `the refund of ${orderId}`);
    const [row] = await rows(orderId);
    expect(row.status).toBe('REFUNDED');
    expect(provider.inner.chargesFor(orderId)).toBe(1);
    expect(provider.inner.refundsFor(row.provider_ref ?? '')).toHaveLength(1);
    // Orders learns of the capture (to record it) and of the refund.
    expect(await outbox(orderId)).toEqual(['payments.payment.captured', 'payments.payment.refunded']);

    // orders, hearing of the capture on an ended order, asks again: refunded already, nothing happens.
    const later = payments.handled();
    await payments.publish(refundRequested(orderId));
    await handledSince(later, 1);
    await payments.app.recovery.sweep();
    expect(provider.inner.refundsFor(row.provider_ref ?? '')).toHaveLength(1);
    expect(await outbox(orderId)).toEqual(['payments.payment.captured', 'payments.payment.refunded']);
    await expectAtMostOneCapture(orderId);
  });
});

describe('invariants over everything above', () => {
  it('charged every key at most once, and every charge belongs to exactly one payment', async () => {
    const keys = new Set(provider.inner.charges.map((c) => c.idempotencyKey));
    for (const key of keys) {
      expect(provider.inner.chargesFor(key)).toBe(1);
      expect({ key, touched: touched.has(key) }).toEqual({ key, touched: true });
      expect(await rows(key)).toHaveLength(1);
    }
    for (const orderId of touched) await expectAtMostOneCapture(orderId);
    expect(payments.malformed).toEqual([]);
  });
});
