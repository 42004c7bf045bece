import { conflict, isOwnerOrAdmin, isUuid, money, notFound, toPage, type Page } from '@storegraph/common';
import type { OrdersContext } from '../context';
import { Order, OrderStatus } from '../entities';
import { OrderItemView } from '../types/order-item.type';
import { productStub } from '../types/product.stub';
import { transition } from './order-state-machine';

/** A concurrent status change between read and write makes cancel re-read and decide again. */
const CANCEL_ATTEMPTS = 3;

type OrderContext = Pick<OrdersContext, 'em' | 'loaders' | 'caller'>;

/** Reading orders (with visibility) and the changes their owners may make. */
export class OrderService {
  /** The order if the caller owns it or is ADMIN; otherwise null, as if it did not exist. */
  async findVisible(ctx: OrderContext, id: string): Promise<Order | null> {
    if (!isUuid(id)) return null;
    const order = await ctx.loaders.order.load(id);
    return order && isOwnerOrAdmin(ctx, order.userId) ? order : null;
  }

  /** Newest first. The caller has been checked: it is this user or an ADMIN. */
  async listForUser(ctx: OrderContext, userId: string, first: number, afterId: string | null): Promise<Page<Order>> {
    if (!isUuid(userId)) return toPage<Order>([], first, 0);
    const [rows, totalCount] = await Promise.all([
      ctx.em.find(Order, { userId, ...(afterId ? { id: { $lt: afterId } } : {}) }, { orderBy: { id: 'desc' }, limit: first + 1 }),
      ctx.em.count(Order, { userId }),
    ]);
    for (const order of rows) ctx.loaders.order.prime(order.id, order);
    return toPage(rows, first, totalCount);
  }

  async items(ctx: OrderContext, order: Order): Promise<OrderItemView[]> {
    const items = await ctx.loaders.orderItems.load(order.id);
    return items.map((item) =>
      Object.assign(new OrderItemView(), {
        product: productStub(item.productId),
        quantity: item.quantity,
        unitPrice: money(item.unitPriceMinor, order.currency),
      }),
    );
  }

  /**
   * PENDING, RESERVED or CONFIRMED -> CANCELLED; CANCELLED stays as it is; FAILED is a
   * CONFLICT (the state machine refuses it). The write only lands if the status is still
   * the one read, so a concurrent saga step is never overwritten.
   * The saga's compensation (release or restock, refund) joins this transaction through
   * the outbox when it arrives.
   */
  async cancel(ctx: OrderContext, id: string): Promise<Order> {
    for (let attempt = 0; attempt < CANCEL_ATTEMPTS; attempt += 1) {
      const result = await ctx.em.transactional(async (em) => {
        // Detached: changes below must reach the database only through the guarded update.
        const order = isUuid(id) ? await em.findOne(Order, { id }, { disableIdentityMap: true }) : null;
        if (!order || !isOwnerOrAdmin(ctx, order.userId)) throw notFound('Order');
        if (order.status === OrderStatus.CANCELLED) return order;
        const before = order.status;
        transition(order, OrderStatus.CANCELLED);
        const updated = await em.nativeUpdate(
          Order,
          { id, status: before },
          { status: order.status, failureReason: order.failureReason, statusHistory: order.statusHistory },
        );
        return updated === 1 ? order : null;
      });
      if (result) {
        ctx.loaders.order.clear(id).prime(id, result);
        return result;
      }
    }
    throw conflict('The order kept changing while being cancelled; try again');
  }
}
