import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, emit } from '@storegraph/common';
import { OrderFailureReason, OrderStatus } from '../entities/order-status.enum';
import type { Order, StatusHistoryEntry } from '../entities/order.entity';
import { RELEASED_STATUSES } from './coupon.row';

/**
 * The order lifecycle as data: each status and the statuses it may move to. There are
 * no self-loops and no way back, so a status never moves backwards, and an
 * `UPDATE ... WHERE status = <old>` is enough to detect a concurrent change.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  [OrderStatus.PENDING]: [OrderStatus.RESERVED, OrderStatus.FAILED, OrderStatus.CANCELLED],
  [OrderStatus.RESERVED]: [OrderStatus.CONFIRMED, OrderStatus.FAILED, OrderStatus.CANCELLED],
  // Once handed to the carrier an order can no longer be cancelled (nor refunded here).
  [OrderStatus.CONFIRMED]: [OrderStatus.SHIPPED, OrderStatus.CANCELLED],
  [OrderStatus.SHIPPED]: [OrderStatus.DELIVERED],
  [OrderStatus.DELIVERED]: [],
  [OrderStatus.FAILED]: [],
  [OrderStatus.CANCELLED]: [],
};

/** The part of an order the state machine reads and writes. */
export interface OrderState {
  status: OrderStatus;
  failureReason: OrderFailureReason | null;
  statusHistory: StatusHistoryEntry[];
  /** Given by whoever ships (before the move to SHIPPED); the times are set here. */
  carrier: string | null;
  trackingNumber: string | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/**
 * Moves `order` to `to` in place: validates against the table (an invalid move throws
 * CONFLICT, never a silent no-op), sets status and failure reason, appends to the history,
 * and stamps shippedAt / deliveredAt with that entry's time. A reason belongs to FAILED
 * and only to FAILED, and SHIPPED needs a carrier and tracking number; anything else is
 * a bug in the caller.
 */
export function transition<T extends OrderState>(order: T, to: OrderStatus, reason?: OrderFailureReason, at = new Date()): T {
  if ((to === OrderStatus.FAILED) !== (reason !== undefined)) {
    throw new Error(`A failure reason is required for FAILED and only for FAILED (to ${to}, reason ${String(reason)})`);
  }
  if (!canTransition(order.status, to)) {
    throw conflict(`An order that is ${order.status} cannot become ${to}`);
  }
  if (to === OrderStatus.SHIPPED && (!order.carrier || !order.trackingNumber)) {
    throw new Error('An order ships with a carrier and a tracking number');
  }
  order.status = to;
  order.failureReason = reason ?? null;
  order.statusHistory = [...order.statusHistory, { status: to, at: at.toISOString() }];
  if (to === OrderStatus.SHIPPED) order.shippedAt = at;
  if (to === OrderStatus.DELIVERED) order.deliveredAt = at;
  return order;
}

/**
 * The saga event each step announces, as data beside the table: whoever reacts to a
 * status (payments to RESERVED, catalog to FAILED and CANCELLED) learns of it only from
 * here. PENDING has none: checkout creates orders, it does not transition them.
 */
const STEP_EVENTS: Readonly<Partial<Record<OrderStatus, (tx: EntityManager, order: Order) => Promise<string>>>> = {
  [OrderStatus.RESERVED]: (tx, o) =>
    emit(tx, 'orders.order.reserved', {
      orderId: o.id,
      userId: o.userId,
      amountMinor: o.totalMinor,
      currency: o.currency,
      paymentToken: o.paymentToken,
    }),
  [OrderStatus.CONFIRMED]: (tx, o) => emit(tx, 'orders.order.confirmed', { orderId: o.id }),
  [OrderStatus.FAILED]: (tx, o) => {
    if (!o.failureReason) throw new Error(`Order ${o.id} is FAILED without a reason`);
    return emit(tx, 'orders.order.failed', { orderId: o.id, reason: o.failureReason });
  },
  [OrderStatus.CANCELLED]: (tx, o) => emit(tx, 'orders.order.cancelled', { orderId: o.id }),
  [OrderStatus.SHIPPED]: (tx, o) => {
    if (!o.carrier || !o.trackingNumber) throw new Error(`Order ${o.id} is SHIPPED without carrier or tracking number`);
    return emit(tx, 'orders.order.shipped', { orderId: o.id, userId: o.userId, carrier: o.carrier, trackingNumber: o.trackingNumber });
  },
  [OrderStatus.DELIVERED]: (tx, o) => emit(tx, 'orders.order.delivered', { orderId: o.id, userId: o.userId }),
};

/** FAILED and CANCELLED orders no longer hold their coupon (Coupon.uses counts the others). */
const releasesCoupon = (to: OrderStatus): boolean => RELEASED_STATUSES.includes(to);

/**
 * The use an order took at checkout, given back in the transaction of its move to FAILED
 * or CANCELLED: those are terminal and reached once, so it is given back once. The
 * per-user count needs nothing: it counts the user's orders that still hold the coupon.
 */
async function releaseCouponUse(tx: EntityManager, couponId: string): Promise<void> {
  await tx.execute('update coupons set uses = uses - 1 where id = ?', [couponId]);
}

/**
 * THE way a stored order changes status: validates against the table (throws CONFLICT),
 * writes only if the status is still the one read (a concurrent change throws CONFLICT
 * and rolls the caller back rather than overwriting), and emits the step's saga event
 * (which is also the status change live subscribers follow), and gives back a coupon's use
 * on FAILED and CANCELLED, all in the caller's transaction. `order` must be detached (loaded
 * with disableIdentityMap), so the guarded update is the only write that reaches the row.
 */
export async function transitionOrder(tx: EntityManager, order: Order, to: OrderStatus, reason?: OrderFailureReason): Promise<Order> {
  const before = order.status;
  transition(order, to, reason);
  const updated = await tx.execute<unknown[]>(
    `update orders set status = ?, failure_reason = ?, status_history = ?::jsonb,
            carrier = ?, tracking_number = ?, shipped_at = ?, delivered_at = ?
      where id = ? and status = ? returning id`,
    [
      order.status, order.failureReason, JSON.stringify(order.statusHistory),
      order.carrier, order.trackingNumber, order.shippedAt, order.deliveredAt,
      order.id, before,
    ],
  );
  if (updated.length !== 1) throw conflict(`Order ${order.id} changed while moving from ${before} to ${to}`);
  if (order.couponId !== null && releasesCoupon(to)) await releaseCouponUse(tx, order.couponId);
  await STEP_EVENTS[to]?.(tx, order);
  return order;
}
