/**
 * What a charge asks the provider for. The token rests on the PENDING attempt only until
 * it is settled (to charge again after a crash), then is cleared.
 */
export interface ChargeRequest {
  /**
   * The same key always yields the first result and never a second charge: payments uses
   * the order id, so a redelivered or retried capture cannot charge the card twice.
   */
  idempotencyKey: string;
  /** The client's payment token (CheckoutInput.paymentToken); card data never reaches us. */
  token: string;
  amountMinor: number;
  currency: string;
}

/** The provider's decision on a charge. A decline is an answer, not an error. */
export type ChargeResult =
  | { status: 'approved'; /** The provider's id of the charge, kept as provider_ref. */ reference: string }
  | { status: 'declined'; /** Shown to the customer as Payment.failureReason. */ reason: string };

export interface RefundRequest {
  /** The same key always yields the first refund and never a second one. */
  idempotencyKey: string;
  /** The charge's reference from an approved ChargeResult. */
  reference: string;
  amountMinor: number;
}

export interface RefundResult {
  /** The provider's id of the refund, kept as refund_ref. */
  reference: string;
}

/**
 * The port to whoever moves the money (config `PAYMENT_PROVIDER`; `test` is the only
 * adapter so far: TestPaymentProvider). Every adapter passes the contract suite in
 * test/contracts/payment-provider.contract.ts.
 *
 * Both calls are idempotent per `idempotencyKey`, the way real providers are (Stripe's
 * Idempotency-Key): payments may call again after a crash or a redelivery, and relies on
 * the provider to answer with the first result instead of moving money again.
 *
 * A call throws only when the outcome is unknown (network, timeout, reset) or the request
 * is invalid (an unknown charge reference). Payments treats every throw as "no answer":
 * the payment keeps the call outstanding and asks again with the same key, with backoff
 * (PAYMENT_RETRY_MIN_MS doubling up to PAYMENT_RETRY_MAX_MS), until an answer comes
 * (provider-retry.ts, payment-reconciliation.ts). So an adapter answers whatever it can
 * answer (a decline is an answer, not an error) and throws only when it cannot know.
 * Adapters must bound their calls with a timeout well below
 * PAYMENT_RECOVERY_AFTER_SECONDS: a call still going after that long is taken as
 * interrupted and made again (the same key keeps that from moving money twice).
 */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}
