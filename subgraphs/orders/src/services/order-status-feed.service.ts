import { isOwnerOrAdmin, isUuid, notFound, parseEnvelope, type EventBus, type Logger, type OrderEventSubject, type Subject } from '@storegraph/common';
import type { OrdersContext } from '../context';
import { Order, OrderStatus } from '../entities';
import { OrderStatusFollower } from './order-status-follower';

type FeedContext = Pick<OrdersContext, 'em' | 'caller'>;
type NatsSubscription = ReturnType<EventBus['nc']['subscribe']>;

/** The saga events that are also status changes (contracts.ts), and the status each announces. */
const STATUS_OF: Partial<Record<Subject, OrderStatus>> = {
  'orders.order.placed': OrderStatus.PENDING,
  'orders.order.reserved': OrderStatus.RESERVED,
  'orders.order.confirmed': OrderStatus.CONFIRMED,
  'orders.order.failed': OrderStatus.FAILED,
  'orders.order.cancelled': OrderStatus.CANCELLED,
  'orders.order.shipped': OrderStatus.SHIPPED,
  'orders.order.delivered': OrderStatus.DELIVERED,
};

/**
 * `orderStatusChanged` for this process. Whichever orders instance changes an order
 * publishes the saga event, and every instance hears it on ONE plain NATS subscription
 * (`orders.order.*`; JetStream publishes reach core subscribers too), so a subscriber
 * may sit on any instance: no sticky sessions, no NATS subscription per client. An
 * in-memory registry hands each event to the followers of its order.
 */
export class OrderStatusFeed {
  private readonly followers = new Map<string, Set<OrderStatusFollower>>();
  private subscription: NatsSubscription | null = null;

  constructor(private readonly logger: Logger) {}

  start(bus: EventBus): void {
    if (this.subscription) return;
    this.subscription = bus.nc.subscribe(bus.subject('orders.order.*'), {
      callback: (err, msg) => {
        if (err) return this.logger.warn('live order feed subscription error', { err });
        this.dispatch(bus.localSubject(msg.subject), msg.data);
      },
    });
    void this.resyncOnReconnect(bus);
  }

  /**
   * Owner or ADMIN; anyone else gets NOT_FOUND, as if the order did not exist. The order
   * as it is now first, then every later change; done after DELIVERED, CANCELLED or FAILED.
   */
  async follow(ctx: FeedContext, orderId: string): Promise<AsyncIterableIterator<Order>> {
    const load = () => ctx.em.findOne(Order, { id: orderId }, { disableIdentityMap: true });
    const follower = new OrderStatusFollower(orderId, load, () => this.unregister(follower), this.logger);
    // Listening before reading: a change committed meanwhile is either in the snapshot or heard.
    this.register(follower);
    try {
      const order = isUuid(orderId) ? await load() : null;
      if (!order || !isOwnerOrAdmin(ctx, order.userId)) throw notFound('Order');
      follower.start(order);
      return follower.output;
    } catch (err) {
      await follower.output.return();
      throw err;
    }
  }

  /** Followers registered in this process (tests check that unsubscribing releases them). */
  subscribers(): number {
    let count = 0;
    for (const set of this.followers.values()) count += set.size;
    return count;
  }

  /** NATS subscriptions the feed holds: one per process, whatever the number of subscribers. */
  natsSubscriptions(): number {
    return this.subscription && !this.subscription.isClosed() ? 1 : 0;
  }

  /** Stops listening and releases any follower still registered (their sockets are gone by now). */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = null;
    const all = [...this.followers.values()].flatMap((set) => [...set]);
    await Promise.all(all.map((follower) => follower.output.return()));
  }

  private dispatch(subject: string, data: Uint8Array): void {
    const status = STATUS_OF[subject as Subject];
    // Nobody follows any order here: nothing to parse (every status change passes by).
    if (!status || this.followers.size === 0) return;
    let orderId: string;
    try {
      const payload = parseEnvelope(subject as Subject, data).data;
      // Every status subject names its order (catalog's change events name none).
      if (!('orderId' in payload)) return;
      orderId = payload.orderId;
    } catch (err) {
      // The consumer dead-letters malformed events; here there is nothing to announce.
      return this.logger.warn('live order feed ignored a malformed event', { subject, err });
    }
    for (const follower of this.followers.get(orderId) ?? []) follower.notify(status);
  }

  /** Core NATS drops what is published while we are disconnected: every follower looks again. */
  private async resyncOnReconnect(bus: EventBus): Promise<void> {
    // Ends when the connection closes (bus.close at stop).
    for await (const status of bus.nc.status()) {
      if (status.type !== 'reconnect' || !this.subscription) continue;
      for (const set of this.followers.values()) for (const follower of set) follower.notify(null);
    }
  }

  private register(follower: OrderStatusFollower): void {
    const set = this.followers.get(follower.orderId) ?? new Set<OrderStatusFollower>();
    set.add(follower);
    this.followers.set(follower.orderId, set);
  }

  private unregister(follower: OrderStatusFollower): void {
    const set = this.followers.get(follower.orderId);
    if (!set) return;
    set.delete(follower);
    if (set.size === 0) this.followers.delete(follower.orderId);
  }
}
