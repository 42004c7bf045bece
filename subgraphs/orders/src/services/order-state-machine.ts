import { conflict } from '@storegraph/common';
import { OrderFailureReason, OrderStatus } from '../entities/order-status.enum';
import type { StatusHistoryEntry } from '../entities/order.entity';

/**
 * The order lifecycle as data: each status and the statuses it may move to. There are
 * no self-loops and no way back, so a status never moves backwards, and an
 * `UPDATE ... WHERE status = <old>` is enough to detect a concurrent change.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  [OrderStatus.PENDING]: [OrderStatus.RESERVED, OrderStatus.FAILED, OrderStatus.CANCELLED],
  [OrderStatus.RESERVED]: [OrderStatus.CONFIRMED, OrderStatus.FAILED, OrderStatus.CANCELLED],
  [OrderStatus.CONFIRMED]: [OrderStatus.CANCELLED],
  [OrderStatus.FAILED]: [],
  [OrderStatus.CANCELLED]: [],
};

/** The part of an order the state machine reads and writes. */
export interface OrderState {
  status: OrderStatus;
  failureReason: OrderFailureReason | null;
  statusHistory: StatusHistoryEntry[];
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/**
 * Moves `order` to `to` in place: validates against the table (an invalid move throws
 * CONFLICT, never a silent no-op), sets status and failure reason, appends to the history.
 * A reason belongs to FAILED and only to FAILED; anything else is a bug in the caller.
 */
export function transition<T extends OrderState>(order: T, to: OrderStatus, reason?: OrderFailureReason, at = new Date()): T {
  if ((to === OrderStatus.FAILED) !== (reason !== undefined)) {
    throw new Error(`A failure reason is required for FAILED and only for FAILED (to ${to}, reason ${String(reason)})`);
  }
  if (!canTransition(order.status, to)) {
    throw conflict(`An order that is ${order.status} cannot become ${to}`);
  }
  order.status = to;
  order.failureReason = reason ?? null;
  order.statusHistory = [...order.statusHistory, { status: to, at: at.toISOString() }];
  return order;
}
