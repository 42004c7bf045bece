import { createLogger, preparedRunner, uuidv7, type EventEnvelope, type StepContext } from '@storegraph/common';
import { CaptureService } from '../../src/services/capture.service';
import type { RetrySchedule } from '../../src/services/provider-retry';
import { RefundService } from '../../src/services/refund.service';
import { CrashingPaymentProvider } from '../support/crashing-payment-provider';
import { envelope, startPayments, type PaymentsHarness } from '../support/harness';

/**
 * One rule, two paths: a capture and a refund each have a one-statement step (the usual
 * path, no transaction across the provider call) and a handler (the same work in the
 * consumer's transaction). Both must decide alike. Each case runs once through each path,
 * on its own order, against the real database, and the effects are compared: the row,
 * its outstanding call, and what was announced.
 */
let payments: PaymentsHarness;
let provider: CrashingPaymentProvider;
let capture: CaptureService;
let refund: RefundService;
let step: StepContext;

const created: string[] = [];
const schedule: RetrySchedule = { leaseSeconds: 60, minMs: 1000, maxMs: 60_000 };

beforeAll(async () => {
  provider = new CrashingPaymentProvider(0);
  payments = await startPayments({ provider, recoverySweeps: false });
  const logger = createLogger('provider-outcomes', 'error');
  capture = new CaptureService(provider, schedule, logger);
  refund = new RefundService(provider, schedule, logger);
  step = { consumer: 'provider-outcomes', run: preparedRunner(payments.app.database.orm.em.getConnection().getKnex()) };
});
afterAll(async () => {
  // Attempts left outstanding here would be asked about by the next suite's sweeps, at its provider.
  if (created.length > 0) await payments?.app.database.orm.em.fork().execute('delete from payments where order_id in (?)', [created]);
  await payments?.stop();
});

type Path = 'step' | 'handler';
const PATHS: Path[] = ['step', 'handler'];

interface Effect {
  status: string | null;
  tokenKept: boolean;
  attempts: number | null;
  nextAttemptIn: 'none' | 'backoff' | 'lease' | 'now';
  refundRequested: boolean;
  lastError: boolean;
  announced: string[];
}

/** The order's payment as the saga depends on it; times as which schedule they follow. */
async function effectOf(orderId: string, announced: EventEnvelope[]): Promise<Effect> {
  const [row] = await payments.app.database.orm.em.fork().execute<
    Array<{ status: string; payment_token: string | null; attempts: number; due_in: number | null; refund_requested: boolean; last_error: string | null }>
  >(
    `select status, payment_token, attempts, extract(epoch from next_attempt_at - now()) as due_in,
            refund_requested_at is not null as refund_requested, last_error
       from payments where order_id = ?`,
    [orderId],
  );
  const dueIn = row?.due_in === null || row?.due_in === undefined ? null : Number(row.due_in);
  return {
    status: row?.status ?? null,
    tokenKept: row?.payment_token != null,
    attempts: row?.attempts ?? null,
    nextAttemptIn: dueIn === null ? 'none' : dueIn > 30 ? 'lease' : dueIn > 0.2 ? 'backoff' : 'now',
    refundRequested: row?.refund_requested ?? false,
    lastError: row?.last_error != null,
    announced: announced.map((e) => e.subject),
  };
}

function reserved(orderId: string, paymentToken: string) {
  return envelope('orders.order.reserved', { orderId, userId: uuidv7(), amountMinor: 1250, currency: 'USD', paymentToken });
}

/** Captures through one path; returns what it announced. */
async function captureVia(path: Path, event: EventEnvelope<'orders.order.reserved'>): Promise<EventEnvelope[]> {
  if (path === 'step') return (await capture.step(step, event)) ?? [];
  return outboxDuring(event.data.orderId, () =>
    payments.app.database.orm.em.fork().transactional((tx) => capture.capture(tx, event.data)),
  );
}

async function refundVia(path: Path, orderId: string): Promise<EventEnvelope[]> {
  const event = envelope('orders.refund.requested', { orderId });
  if (path === 'step') return (await refund.step(step, event)) ?? [];
  return outboxDuring(orderId, () => payments.app.database.orm.em.fork().transactional((tx) => refund.refund(tx, event.data)));
}

/** The handler announces through its transaction's outbox: read what it added about the order. */
async function outboxDuring(orderId: string, work: () => Promise<unknown>): Promise<EventEnvelope[]> {
  const em = payments.app.database.orm.em.fork();
  const read = () =>
    em.execute<Array<{ id: string; envelope: EventEnvelope }>>(`select id, envelope from outbox where envelope->'data'->>'orderId' = ? order by id`, [
      orderId,
    ]);
  const before = new Set((await read()).map((r) => r.id));
  await work();
  return (await read()).filter((r) => !before.has(r.id)).map((r) => r.envelope);
}

/** Runs `scenario` once per path, each on a fresh order, and expects both to have `expected` effect. */
async function bothPaths(scenario: (path: Path, orderId: string) => Promise<EventEnvelope[]>, expected: Effect): Promise<void> {
  const effects: Record<string, Effect> = {};
  for (const path of PATHS) {
    const orderId = uuidv7();
    created.push(orderId);
    effects[path] = await effectOf(orderId, await scenario(path, orderId));
  }
  expect(effects).toEqual({ step: expected, handler: expected });
}

const settled = { tokenKept: false, attempts: 0, nextAttemptIn: 'none', refundRequested: false, lastError: false } as const;

describe('capture: the step and the handler decide alike', () => {
  it('approved: CAPTURED and announced', () =>
    bothPaths((path, orderId) => captureVia(path, reserved(orderId, 'tok_visa')), {
      ...settled,
      status: 'CAPTURED',
      announced: ['payments.payment.captured'],
    }));

  it('declined: FAILED and announced', () =>
    bothPaths((path, orderId) => captureVia(path, reserved(orderId, 'tok_chargeDeclined')), {
      ...settled,
      status: 'FAILED',
      announced: ['payments.payment.failed'],
    }));

  it('no answer: kept PENDING with its token, asked again after the backoff, nothing announced', () =>
    bothPaths(
      (path, orderId) => {
        provider.loseAnswers(orderId, 1);
        return captureVia(path, reserved(orderId, 'tok_visa'));
      },
      { status: 'PENDING', tokenKept: true, attempts: 1, nextAttemptIn: 'backoff', refundRequested: false, lastError: true, announced: [] },
    ));

  it('a second reserved event for the order: nothing', () =>
    bothPaths(
      async (path, orderId) => {
        await captureVia(path, reserved(orderId, 'tok_visa'));
        return captureVia(path, reserved(orderId, 'tok_chargeDeclined'));
      },
      { ...settled, status: 'CAPTURED', announced: [] },
    ));
});

describe('refund: the step and the handler decide alike', () => {
  const captured = async (orderId: string) => {
    await capture.step(step, reserved(orderId, 'tok_visa'));
  };

  it('captured: REFUNDED and announced, once', () =>
    bothPaths(
      async (path, orderId) => {
        await captured(orderId);
        const first = await refundVia(path, orderId);
        return [...first, ...(await refundVia(path, orderId))];
      },
      { ...settled, status: 'REFUNDED', refundRequested: true, announced: ['payments.payment.refunded'] },
    ));

  it('no answer: still CAPTURED with the refund outstanding, asked again after the backoff', () =>
    bothPaths(
      async (path, orderId) => {
        await captured(orderId);
        provider.loseAnswers(`refund:${orderId}`, 1);
        return refundVia(path, orderId);
      },
      { status: 'CAPTURED', tokenKept: false, attempts: 1, nextAttemptIn: 'backoff', refundRequested: true, lastError: true, announced: [] },
    ));

  it('the capture still unanswered: the request is remembered on the PENDING attempt, no provider call', () =>
    bothPaths(
      async (path, orderId) => {
        provider.loseAnswers(orderId, 1);
        await capture.step(step, reserved(orderId, 'tok_visa'));
        const requests = provider.inner.refunds.length;
        const announced = await refundVia(path, orderId);
        expect(provider.inner.refunds.length).toBe(requests);
        return announced;
      },
      { status: 'PENDING', tokenKept: true, attempts: 1, nextAttemptIn: 'backoff', refundRequested: true, lastError: true, announced: [] },
    ));

  it('the unanswered capture then approved: the remembered refund comes due at once', () =>
    bothPaths(
      async (path, orderId) => {
        provider.loseAnswers(orderId, 1);
        await capture.step(step, reserved(orderId, 'tok_visa'));
        await refundVia(path, orderId);
        // The next sweep's claim and call, as PaymentReconciliation makes them.
        const em = payments.app.database.orm.em.fork();
        const [row] = await em.execute<Array<{ id: string; user_id: string }>>('select id, user_id from payments where order_id = ?', [orderId]);
        return outboxDuring(orderId, () =>
          capture.resume(em, row.id, { orderId, userId: row.user_id, amountMinor: 1250, currency: 'USD', paymentToken: 'tok_visa' }, 2),
        );
      },
      { status: 'CAPTURED', tokenKept: false, attempts: 0, nextAttemptIn: 'now', refundRequested: true, lastError: false, announced: ['payments.payment.captured'] },
    ));

  it.each([
    ['declined', 'tok_chargeDeclined', 'FAILED'],
    ['never attempted', null, null],
  ] as const)('%s: nothing', (_name, token, status) =>
    bothPaths(
      async (path, orderId) => {
        if (token) await capture.step(step, reserved(orderId, token));
        return refundVia(path, orderId);
      },
      {
        status,
        tokenKept: false,
        attempts: status ? 0 : null,
        nextAttemptIn: 'none',
        refundRequested: false,
        lastError: false,
        announced: [],
      },
    ));
});
