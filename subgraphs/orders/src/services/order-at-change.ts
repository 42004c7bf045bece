import { Order, OrderStatus } from '../entities';

/**
 * The order as it was right after its `index`-th status change: that status, the history
 * up to it, a failure reason only on FAILED (terminal, so the stored reason is the
 * one that change set), the shipment only from SHIPPED on and its delivery only on DELIVERED. Two quick changes thus reach a subscriber as two distinct
 * snapshots, although one read of the row already shows the later one.
 */
export function orderAtChange(order: Order, index: number): Order {
  const entry = order.statusHistory[index];
  if (!entry) throw new Error(`Order ${order.id} has no status change #${index}`);
  // A copy without the constructor: the view must not get a fresh id, nor touch the loaded row.
  const view = Object.assign(Object.create(Order.prototype) as Order, order);
  view.status = entry.status;
  view.statusHistory = order.statusHistory.slice(0, index + 1);
  view.failureReason = entry.status === OrderStatus.FAILED ? order.failureReason : null;
  const shipped = entry.status === OrderStatus.SHIPPED || entry.status === OrderStatus.DELIVERED;
  if (!shipped) Object.assign(view, { carrier: null, trackingNumber: null, shippedAt: null });
  if (entry.status !== OrderStatus.DELIVERED) view.deliveredAt = null;
  return view;
}
