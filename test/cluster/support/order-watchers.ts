import WebSocket from 'ws';
import { createStoregraphClient, OrderStatusChangedDocument, type StoregraphClient } from '@storegraph/sdk';
import { gql } from '../../faults/support/load';
import { sleep } from '../../faults/support/fault-stack';

const BUY = `mutation($p: ID!) {
  addToCart(productId: $p, quantity: 1) { subtotal { amount } }
  checkout(input: { paymentToken: "tok_visa" }) { id }
}`;
const CANCEL = 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }';
const STATUS = 'query($id: ID!) { order(id: $id) { status } }';

interface Seen {
  status: string;
  /** How many times this watcher's socket had been (re)connected when the event came. */
  connection: number;
  at: number;
}

/**
 * One shopper following one order live with the SDK (graphql-ws through HAProxy), as an
 * app shows "your order" while the cluster loses processes. graphql-ws reconnects a lost
 * socket by itself and subscribes again; the gateway resumes a subscription whose orders
 * replica died.
 */
export class OrderWatcher {
  readonly seen: Seen[] = [];
  private connections = 0;
  private readonly client: StoregraphClient;
  private readonly done: Promise<void>;

  private constructor(
    private readonly url: string,
    private readonly token: string,
    readonly orderId: string,
  ) {
    const client = createStoregraphClient({
      url,
      webSocketImpl: WebSocket,
      getToken: () => token,
      wsOptions: {
        retryAttempts: 60,
        retryWait: () => sleep(250),
        on: { connected: () => (this.connections += 1) },
      },
    });
    this.client = client;
    this.done = (async () => {
      for await (const { orderStatusChanged: order } of client.subscribe(OrderStatusChangedDocument, { orderId })) {
        this.seen.push({ status: order.status, connection: this.connections, at: Date.now() });
      }
    })();
    this.done.catch(() => undefined);
  }

  /**
   * Places orders (approved payments) one after the other (one shopper, one cart) and
   * follows each live until it is CONFIRMED.
   */
  static async open(url: string, token: string, productIds: string[], timeoutMs: number): Promise<OrderWatcher[]> {
    const watchers: OrderWatcher[] = [];
    for (const productId of productIds) {
      const { checkout } = await gql<{ checkout: { id: string } }>(url, BUY, { p: productId }, token);
      watchers.push(new OrderWatcher(url, token, checkout.id));
    }
    await Promise.all(watchers.map((watcher) => watcher.waitFor('CONFIRMED', timeoutMs)));
    return watchers;
  }

  get reconnections(): number {
    return Math.max(0, this.connections - 1);
  }

  async waitFor(status: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.seen.at(-1)?.status !== status) {
      if (Date.now() > deadline) throw new Error(`order ${this.orderId}: no ${status} event within ${timeoutMs / 1000} s (saw ${JSON.stringify(this.seen.map((s) => s.status))})`);
      await sleep(100);
    }
  }

  /** After the fault: the subscription still goes on. Cancelling reaches it as the next event, and it completes. */
  async cancelAndFinish(timeoutMs: number): Promise<void> {
    await gql(this.url, CANCEL, { id: this.orderId }, this.token);
    await this.waitFor('CANCELLED', timeoutMs);
    await Promise.race([this.done, sleep(timeoutMs)]);
    await this.client.dispose();
  }

  /** The order's status as the API says it now. */
  async statusNow(): Promise<string> {
    const { order } = await gql<{ order: { status: string } }>(this.url, STATUS, { id: this.orderId }, this.token);
    return order.status;
  }

  async dispose(): Promise<void> {
    await this.client.dispose();
  }
}
