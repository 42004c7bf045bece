import { randomUUID } from 'node:crypto';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, RefundResult } from './payment-provider';

/** The tokens of CheckoutInput's contract and what the test provider answers to each. */
const APPROVED = new Set(['tok_visa', 'tok_mastercard']);
const DECLINED: Record<string, string> = {
  tok_chargeDeclined: 'Your card was declined.',
  tok_insufficientFunds: 'Your card has insufficient funds.',
};
const DELAYED = 'tok_delayed';
const UNKNOWN_TOKEN = 'Unknown payment token';

const CHARGE_PREFIX = 'ch_test_';
const REFUND_PREFIX = 're_test_';

/** One charge the provider actually processed (an idempotent replay adds none). */
export interface TestCharge {
  idempotencyKey: string;
  token: string;
  amountMinor: number;
  currency: string;
  result: ChargeResult;
}

/** One refund the provider actually processed. */
export interface TestRefund {
  idempotencyKey: string;
  chargeReference: string;
  amountMinor: number;
  reference: string;
}

/**
 * The built-in provider (PAYMENT_PROVIDER=test): behaves like Stripe's test tokens so the
 * whole saga runs offline. Its in-memory ledger stands for the provider's own records,
 * which live outside our database: that is what lets tests check that no key was charged
 * twice, whatever payments did (crash, redelivery, retry). The ledger lasts as long as
 * the process, like a sandbox account that is wiped on restart.
 */
export class TestPaymentProvider implements PaymentProvider {
  /** Results by idempotency key; the promise is stored at once so concurrent calls share it. */
  private readonly chargeResults = new Map<string, Promise<ChargeResult>>();
  private readonly refundResults = new Map<string, Promise<RefundResult>>();
  /** Approved charges by reference: amount charged and amount refunded so far. */
  private readonly approved = new Map<string, { amountMinor: number; refundedMinor: number }>();
  private readonly chargeLedger: TestCharge[] = [];
  private readonly refundLedger: TestRefund[] = [];
  private readonly requests = new Map<string, number>();

  constructor(private readonly options: { delayMs: number }) {}

  charge(request: ChargeRequest): Promise<ChargeResult> {
    this.requests.set(request.idempotencyKey, (this.requests.get(request.idempotencyKey) ?? 0) + 1);
    const known = this.chargeResults.get(request.idempotencyKey);
    if (known) return known;
    const result = this.process(request);
    this.chargeResults.set(request.idempotencyKey, result);
    return result;
  }

  refund(request: RefundRequest): Promise<RefundResult> {
    const known = this.refundResults.get(request.idempotencyKey);
    if (known) return known;
    let result: Promise<RefundResult>;
    try {
      result = Promise.resolve(this.processRefund(request));
    } catch (err) {
      // A rejected refund is not remembered: like a provider's validation error, it moved no money.
      return Promise.reject(err);
    }
    this.refundResults.set(request.idempotencyKey, result);
    return result;
  }

  /** Charges processed under this key: 0 or 1 whatever the number of requests. */
  chargesFor(idempotencyKey: string): number {
    return this.chargeLedger.filter((c) => c.idempotencyKey === idempotencyKey).length;
  }

  /** Charge requests received under this key, replays included. */
  requestsFor(idempotencyKey: string): number {
    return this.requests.get(idempotencyKey) ?? 0;
  }

  refundsFor(chargeReference: string): TestRefund[] {
    return this.refundLedger.filter((r) => r.chargeReference === chargeReference);
  }

  get charges(): readonly TestCharge[] {
    return this.chargeLedger;
  }

  get refunds(): readonly TestRefund[] {
    return this.refundLedger;
  }

  private async process(request: ChargeRequest): Promise<ChargeResult> {
    if (request.token === DELAYED) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    const result = this.decide(request.token);
    if (result.status === 'approved') this.approved.set(result.reference, { amountMinor: request.amountMinor, refundedMinor: 0 });
    this.chargeLedger.push({
      idempotencyKey: request.idempotencyKey,
      token: request.token,
      amountMinor: request.amountMinor,
      currency: request.currency,
      result,
    });
    return result;
  }

  private decide(token: string): ChargeResult {
    if (APPROVED.has(token) || token === DELAYED) return { status: 'approved', reference: newReference(CHARGE_PREFIX) };
    return { status: 'declined', reason: DECLINED[token] ?? UNKNOWN_TOKEN };
  }

  private processRefund(request: RefundRequest): RefundResult {
    if (!request.reference.startsWith(CHARGE_PREFIX)) throw new Error(`No such charge: ${request.reference}`);
    if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor < 0) {
      throw new Error('A refund amount must be an integer >= 0');
    }
    const charge = this.approved.get(request.reference);
    // A test charge from before a restart is not in memory; it is still ours, so refund it
    // rather than strand a CAPTURED payment in the dead letters of a development stack.
    if (charge) {
      if (charge.refundedMinor + request.amountMinor > charge.amountMinor) {
        throw new Error(`Refund exceeds the charge ${request.reference}`);
      }
      charge.refundedMinor += request.amountMinor;
    }
    const refund = { reference: newReference(REFUND_PREFIX) };
    this.refundLedger.push({
      idempotencyKey: request.idempotencyKey,
      chargeReference: request.reference,
      amountMinor: request.amountMinor,
      reference: refund.reference,
    });
    return refund;
  }
}

const newReference = (prefix: string): string => `${prefix}${randomUUID().replace(/-/g, '')}`;
