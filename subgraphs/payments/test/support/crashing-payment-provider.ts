import type {
  ChargeRequest,
  ChargeResult,
  PaymentProvider,
  RefundRequest,
  RefundResult,
} from '../../src/services/payment-provider';
import { TestPaymentProvider } from '../../src/services/test-payment-provider';

/**
 * The test provider, plus answers that get lost: the call is processed at the provider
 * (the money moves, once per key), then throws here as a timeout or a reset would, so
 * payments cannot know what happened and must ask again with the same key.
 */
export class CrashingPaymentProvider implements PaymentProvider {
  readonly inner: TestPaymentProvider;
  /** Answers still to lose, by idempotency key (Infinity: until answerAgain). */
  private readonly toLose = new Map<string, number>();
  private readonly lostCount = new Map<string, number>();
  /** For keys not known in advance (an order id the test learns later): the first call of a matching key arms it. */
  private readonly rules: Array<{ match: (request: ChargeRequest) => boolean; times: number }> = [];
  private readonly seen = new Set<string>();

  constructor(delayMs: number) {
    this.inner = new TestPaymentProvider({ delayMs });
  }

  /** The next call with this idempotency key crashes after the provider answered. */
  crashOnceAfter(idempotencyKey: string): void {
    this.loseAnswers(idempotencyKey, 1);
  }

  /** The next `times` calls with this key are processed, and their answers lost. */
  loseAnswers(idempotencyKey: string, times = Number.POSITIVE_INFINITY): void {
    this.toLose.set(idempotencyKey, times);
  }

  /** Every charge key whose first call matches loses its next `times` answers (that first one included). */
  loseChargeAnswersWhen(match: (request: ChargeRequest) => boolean, times = Number.POSITIVE_INFINITY): void {
    this.rules.push({ match, times });
  }

  /** Answers under this key arrive again from the next call on. */
  answerAgain(idempotencyKey: string): void {
    this.toLose.delete(idempotencyKey);
  }

  /** Answers lost so far under this key. */
  lost(idempotencyKey: string): number {
    return this.lostCount.get(idempotencyKey) ?? 0;
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const result = await this.inner.charge(request);
    this.arm(request);
    this.maybeCrash(request.idempotencyKey);
    return result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const result = await this.inner.refund(request);
    this.maybeCrash(request.idempotencyKey);
    return result;
  }

  private arm(request: ChargeRequest): void {
    const key = request.idempotencyKey;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const rule = this.rules.find((r) => r.match(request));
    if (rule && !this.toLose.has(key)) this.toLose.set(key, rule.times);
  }

  private maybeCrash(key: string): void {
    const left = this.toLose.get(key) ?? 0;
    if (left <= 0) return;
    if (left === 1) this.toLose.delete(key);
    else this.toLose.set(key, left - 1);
    this.lostCount.set(key, this.lost(key) + 1);
    throw new Error(`simulated lost answer after the provider call for ${key}`);
  }
}
