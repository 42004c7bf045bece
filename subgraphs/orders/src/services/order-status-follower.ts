import type { Logger } from '@storegraph/common';
import { type Order, OrderStatus } from '../entities';
import { AsyncQueue } from './async-queue';
import { orderAtChange } from './order-at-change';

/** After these an order never changes again: the feed completes. */
const FINAL: ReadonlySet<OrderStatus> = new Set([OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.FAILED]);

/**
 * One subscriber of one order. It is notified of changes from BEFORE the snapshot is
 * read, so nothing falls between the read and the first event; notifications wait
 * behind the snapshot and are handled one at a time. The stored history is the truth:
 * an event only says "look again". Whatever entries lie past the last one emitted are
 * emitted in history order, each as the order was at that change, so events that
 * arrive late, twice, out of order or not at all (a NATS reconnect) neither repeat nor
 * skip a status (a status never repeats within one order's history).
 */
export class OrderStatusFollower {
  readonly output: AsyncQueue<Order>;
  /** Statuses already emitted: a notification for one of them needs no read. */
  private readonly emitted = new Set<OrderStatus>();
  private lastIndex = -1;
  private closed = false;
  private openGate!: () => void;
  private work: Promise<void>;

  constructor(
    readonly orderId: string,
    /** A fresh read of the order (no identity map: never a stale copy). */
    private readonly load: () => Promise<Order | null>,
    release: () => void,
    private readonly logger: Logger,
  ) {
    this.work = new Promise<void>((resolve) => {
      this.openGate = resolve;
    });
    this.output = new AsyncQueue<Order>(() => {
      this.closed = true;
      this.openGate();
      release();
    });
  }

  /** A change of this order was announced (`null`: changes may have been missed, look anyway). */
  notify(status: OrderStatus | null): void {
    this.work = this.work
      .then(() => this.catchUp(status))
      .catch((err: unknown) => {
        this.logger.error('live order feed could not read the order', { orderId: this.orderId, err });
        this.output.fail(err);
      });
  }

  /** Emits the order as it is now, then lets the waiting notifications through. */
  start(snapshot: Order): void {
    this.output.push(snapshot);
    for (const entry of snapshot.statusHistory) this.emitted.add(entry.status);
    this.lastIndex = snapshot.statusHistory.length - 1;
    if (FINAL.has(snapshot.status)) this.output.end();
    this.openGate();
  }

  private async catchUp(status: OrderStatus | null): Promise<void> {
    if (this.closed || (status !== null && this.emitted.has(status))) return;
    const order = await this.load();
    if (this.closed || !order) return;
    for (let index = this.lastIndex + 1; index < order.statusHistory.length; index += 1) {
      const view = orderAtChange(order, index);
      this.output.push(view);
      this.emitted.add(view.status);
      this.lastIndex = index;
      if (FINAL.has(view.status)) {
        this.output.end();
        return;
      }
    }
  }
}
