import { sleep } from './fault-stack';

const REQUEST_TIMEOUT_MS = 15_000;

/** One client request per order, as a "buy now" button sends it: the cart line and the checkout. */
const BUY_NOW = `mutation($p: ID!, $token: String!) {
  addToCart(productId: $p, quantity: 1) { subtotal { amount } }
  checkout(input: { paymentToken: $token }) { id }
}`;
const CANCEL = 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }';

/**
 * The payment tokens in the order shoppers use them: mostly approvals, a quarter
 * declines, and tok_delayed (PAYMENT_TEST_DELAY_MS) so some captures are in the middle
 * of the provider call when a process dies.
 */
const TOKENS = ['tok_visa', 'tok_visa', 'tok_chargeDeclined', 'tok_mastercard', 'tok_delayed', 'tok_visa', 'tok_insufficientFunds', 'tok_visa'];
/** Every CANCEL_EVERY-th order is cancelled right after checkout (before or after it settles). */
const CANCEL_EVERY = 6;

export async function gql<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await response.json()) as { data?: T | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length || !body.data) {
    const error = new Error(JSON.stringify(body.errors ?? response.status)) as Error & { codes?: string[] };
    error.codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'NONE');
    throw error;
  }
  return body.data;
}

export interface LoadFigures {
  /** Checkouts answered with an order id. */
  placed: number;
  /** Requests that failed (a service down, a connection reset, a timeout). */
  failedRequests: number;
  cancelled: number;
}

/**
 * Shoppers in a loop, each placing one order after the other through the gateway until
 * told to stop; a failed request is counted, and the shopper tries again shortly after
 * (as a customer would press the button again).
 */
export class Load {
  private stopped = false;
  private readonly loops: Promise<void>[];
  private next = 0;
  private readonly figures: LoadFigures = { placed: 0, failedRequests: 0, cancelled: 0 };
  readonly orderIds: string[] = [];

  constructor(
    private readonly url: string,
    shoppers: string[],
    private readonly productIds: string[],
  ) {
    this.loops = shoppers.map((token) => this.shop(token));
  }

  get counts(): Readonly<LoadFigures> {
    return this.figures;
  }

  /** Resolves once `count` more orders were placed than when called; fails at the deadline. */
  async placeMore(count: number, timeoutMs: number): Promise<void> {
    const target = this.figures.placed + count;
    const deadline = Date.now() + timeoutMs;
    while (this.figures.placed < target) {
      if (Date.now() > deadline) {
        throw new Error(`only ${this.figures.placed - (target - count)} of ${count} orders placed within ${timeoutMs / 1000} s`);
      }
      await sleep(50);
    }
  }

  async stop(): Promise<LoadFigures> {
    this.stopped = true;
    await Promise.all(this.loops);
    return { ...this.figures };
  }

  private async shop(token: string): Promise<void> {
    while (!this.stopped) {
      const n = this.next++;
      try {
        const { checkout } = await gql<{ checkout: { id: string } }>(
          this.url,
          BUY_NOW,
          { p: this.productIds[n % this.productIds.length], token: TOKENS[n % TOKENS.length] },
          token,
        );
        this.orderIds.push(checkout.id);
        this.figures.placed += 1;
        if (n % CANCEL_EVERY === CANCEL_EVERY - 1) await this.cancel(checkout.id, token);
      } catch {
        this.figures.failedRequests += 1;
        await sleep(200);
      }
    }
  }

  private async cancel(orderId: string, token: string): Promise<void> {
    try {
      await gql(this.url, CANCEL, { id: orderId }, token);
      this.figures.cancelled += 1;
    } catch (err) {
      // An order FAILED meanwhile cannot be cancelled (CONFLICT): that is the saga's answer, not a fault.
      if (!(err as { codes?: string[] }).codes?.includes('CONFLICT')) this.figures.failedRequests += 1;
    }
  }
}
