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
 * A call throws only when the outcome is unknown or the request is invalid (network,
 * timeout, unknown charge reference); the caller then retries with the same key.
 * Adapters must bound their calls with a timeout well below
 * PAYMENT_RECOVERY_AFTER_SECONDS: an attempt PENDING for that long is taken as
 * interrupted and charged again (the same key keeps that from charging twice).
 */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}
