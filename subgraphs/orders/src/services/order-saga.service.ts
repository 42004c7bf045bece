import type { EntityManager } from '@mikro-orm/postgresql';
import { emit, outboxInsert, type Logger, type Sql } from '@storegraph/common';
import { Order, OrderFailureReason, OrderStatus } from '../entities';
import { orderFromRow, ORDER_COLUMNS, type OrderRow } from './order.row';
import { transitionOrder } from './order-state-machine';

const { PENDING, RESERVED, CONFIRMED, CANCELLED, FAILED } = OrderStatus;

/** A line of the order as catalog needs it to reserve. */
export interface PlacedItem {
  productId: string;
  quantity: number;
}

/**
 * Orders' part of the saga (docs/saga.md). Every method runs in the caller's transaction
 * (checkout's, cancelOrder's, or the inbox transaction of one event), holds the order's
 * row lock, and decides from the status it finds: an event that no longer applies is
 * ignored, so a status never moves backwards. After every step the refund rule runs.
 */
export class OrderSagaService {
  constructor(private readonly logger: Logger) {}

  /**
   * Checkout creates a PENDING order: catalog reserves from `orders.order.placed`. The
   * outbox row, for checkout's one statement, written once for each row of `source`.
   */
  placedAnnouncement(source: Sql, order: Order, items: PlacedItem[]): Sql {
    return outboxInsert('orders.order.placed', source, {
      orderId: order.id,
      userId: order.userId,
      items: items.map(({ productId, quantity }) => ({ productId, quantity })),
      amountMinor: order.totalMinor,
      currency: order.currency,
    });
  }

  stockReserved(tx: EntityManager, orderId: string): Promise<void> {
    return this.react(tx, orderId, 'catalog.stock.reserved', (order) => this.advance(tx, order, [PENDING], RESERVED));
  }

  stockRejected(tx: EntityManager, orderId: string): Promise<void> {
    return this.react(tx, orderId, 'catalog.stock.rejected', (order) =>
      this.advance(tx, order, [PENDING], FAILED, OrderFailureReason.OUT_OF_STOCK),
    );
  }

  paymentFailed(tx: EntityManager, orderId: string): Promise<void> {
    return this.react(tx, orderId, 'payments.payment.failed', (order) =>
      this.advance(tx, order, [RESERVED], FAILED, OrderFailureReason.PAYMENT_DECLINED),
    );
  }

  /** No status change (CONFIRMED comes with catalog's sale); a capture that came too late is refunded. */
  paymentCaptured(tx: EntityManager, orderId: string, paymentId: string): Promise<void> {
    return this.react(tx, orderId, 'payments.payment.captured', (order) => this.recordPayment(tx, order, paymentId));
  }

  /**
   * A sale implies orders already committed RESERVED (payments only charges after
   * orders.order.reserved), so PENDING here is a redelivery overtaking its predecessor:
   * throwing lets the consumer retry it after stock.reserved, instead of losing the sale.
   * A CANCELLED order stays so; catalog restocks when it sees the cancel, and the
   * refund rule gives the money back.
   */
  stockSold(tx: EntityManager, orderId: string, paymentId: string): Promise<void> {
    return this.react(tx, orderId, 'catalog.stock.sold', async (order) => {
      await this.recordPayment(tx, order, paymentId);
      if (order.status === PENDING) throw new Error(`Order ${orderId} sold while still PENDING; retry after stock.reserved`);
      await this.advance(tx, order, [RESERVED], CONFIRMED);
    });
  }

  /**
   * From RESERVED, and also from PENDING: if stock.reserved is still being retried when
   * the hold expires, ignoring the expiry would let a late RESERVED charge for stock
   * that is no longer held.
   */
  reservationExpired(tx: EntityManager, orderId: string): Promise<void> {
    return this.react(tx, orderId, 'catalog.reservation.expired', (order) =>
      this.advance(tx, order, [PENDING, RESERVED], FAILED, OrderFailureReason.RESERVATION_EXPIRED),
    );
  }

  /**
   * cancelOrder's decision on a locked order: CANCELLED stays as it is (no event), FAILED,
   * SHIPPED and DELIVERED are refused by the state machine (CONFLICT), anything else is
   * cancelled and refunded if a capture is known.
   */
  async cancel(tx: EntityManager, order: Order): Promise<Order> {
    if (order.status === CANCELLED) return order;
    await transitionOrder(tx, order, CANCELLED);
    await this.settleRefund(tx, order);
    return order;
  }

  /**
   * The order, detached (changes go through guarded updates only) and row-locked until
   * commit. Plain SQL mapped by hand: every saga event starts here, and the ORM's query
   * building and hydration cost more than the statement itself.
   */
  async lockOrder(tx: EntityManager, id: string): Promise<Order | null> {
    const rows = await tx.execute<OrderRow[]>(`select ${ORDER_COLUMNS} from orders where id = ? for update`, [id]);
    return rows.length === 1 ? orderFromRow(rows[0]) : null;
  }

  /**
   * The one refund rule: an order that ended FAILED or CANCELLED while holding a capture
   * asks for its money back, once. Runs after every step, so whichever of "capture
   * known" and "order ended" comes second triggers it.
   */
  private async settleRefund(tx: EntityManager, order: Order): Promise<void> {
    if (order.status !== FAILED && order.status !== CANCELLED) return;
    if (order.paymentId === null || order.refundRequested) return;
    const updated = await tx.execute<unknown[]>(
      'update orders set refund_requested = true where id = ? and refund_requested = false returning id',
      [order.id],
    );
    if (updated.length !== 1) return;
    order.refundRequested = true;
    await emit(tx, 'orders.refund.requested', { orderId: order.id });
  }

  private async recordPayment(tx: EntityManager, order: Order, paymentId: string): Promise<void> {
    if (order.paymentId === paymentId) return;
    if (order.paymentId !== null) {
      // payments.order_id is unique, so this is a bug elsewhere; keep the first, make it visible.
      this.logger.error('a second payment reported for one order; keeping the first', {
        orderId: order.id,
        recorded: order.paymentId,
        reported: paymentId,
      });
      return;
    }
    await tx.execute('update orders set payment_id = ? where id = ?', [paymentId, order.id]);
    order.paymentId = paymentId;
  }

  /** Moves on if the order is where this event expects it; otherwise the event is stale. */
  private async advance(
    tx: EntityManager,
    order: Order,
    from: OrderStatus[],
    to: OrderStatus,
    reason?: OrderFailureReason,
  ): Promise<void> {
    if (!from.includes(order.status)) {
      this.logger.info('saga event no longer applies; order unchanged', { orderId: order.id, status: order.status, to });
      return;
    }
    await transitionOrder(tx, order, to, reason);
  }

  private async react(tx: EntityManager, orderId: string, subject: string, step: (order: Order) => Promise<void>): Promise<void> {
    const order = await this.lockOrder(tx, orderId);
    // Orders commits an order before anything can refer to it: an unknown id is an
    // inconsistency for an operator, so the event retries and lands in the dead letters.
    if (!order) throw new Error(`${subject} for unknown order ${orderId}`);
    await step(order);
    await this.settleRefund(tx, order);
  }
}
