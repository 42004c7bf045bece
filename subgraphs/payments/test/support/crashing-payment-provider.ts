import type {
  ChargeRequest,
  ChargeResult,
  PaymentProvider,
  RefundRequest,
  RefundResult,
} from '../../src/services/payment-provider';
import { TestPaymentProvider } from '../../src/services/test-payment-provider';

/**
 * The test provider, plus a way to play a crash right after the provider moved money and
 * before payments committed: the call succeeds at the provider, then throws here, so the
 * handler's transaction rolls back and the event is redelivered.
 */
export class CrashingPaymentProvider implements PaymentProvider {
  readonly inner: TestPaymentProvider;
  private readonly crashAfter = new Set<string>();

  constructor(delayMs: number) {
    this.inner = new TestPaymentProvider({ delayMs });
  }

  /** The next call with this idempotency key crashes after the provider answered. */
  crashOnceAfter(idempotencyKey: string): void {
    this.crashAfter.add(idempotencyKey);
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const result = await this.inner.charge(request);
    this.maybeCrash(request.idempotencyKey);
    return result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const result = await this.inner.refund(request);
    this.maybeCrash(request.idempotencyKey);
    return result;
  }

  private maybeCrash(key: string): void {
    if (this.crashAfter.delete(key)) throw new Error(`simulated crash after the provider call for ${key}`);
  }
}
