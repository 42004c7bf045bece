import { executePrepared, isOwnerOrAdmin, isUuid, money, notFound, recordAudit, toPage, type Page } from '@storegraph/common';
import type { OrdersContext } from '../context';
import { Order } from '../entities';
import { OrderItemView } from '../types/order-item.type';
import { productStub } from '../types/product.stub';
import type { OrderSagaService } from './order-saga.service';
import { ORDER_COLUMNS, orderFromRow, type OrderRow } from './order.row';

type OrderContext = Pick<OrdersContext, 'em' | 'loaders' | 'caller'>;

/** Reading orders (with visibility) and the changes their owners may make. */
export class OrderService {
  constructor(private readonly saga: OrderSagaService) {}

  /** The order if the caller owns it or is ADMIN; otherwise null, as if it did not exist. */
  async findVisible(ctx: OrderContext, id: string): Promise<Order | null> {
    if (!isUuid(id)) return null;
    const order = await ctx.loaders.order.load(id);
    return order && isOwnerOrAdmin(ctx, order.userId) ? order : null;
  }

  /** Newest first. The caller has been checked: it is this user or an ADMIN. */
  async listForUser(ctx: OrderContext, userId: string, first: number, afterId: string | null): Promise<Page<Order>> {
    if (!isUuid(userId)) return toPage<Order>([], first, 0);
    // The count and the page in ONE prepared statement: the count's row joined laterally with
    // the page (an empty page still yields the count). Orders come back detached: read-only here.
    const after = afterId && isUuid(afterId) ? afterId : null;
    const rows = await executePrepared<OrderRow & { total: number }>(ctx.em, {
      text: `select counted.total, page.* from (select count(*)::int as total from orders where user_id = ?::uuid) counted
        left join lateral (select ${ORDER_COLUMNS} from orders where user_id = ?::uuid ${after ? 'and id < ?::uuid' : ''}
          order by id desc limit ?) page on true`,
      params: [userId, userId, ...(after ? [after] : []), first + 1],
    });
    const orders = rows.filter((row) => row.id !== null).map(orderFromRow);
    for (const order of orders) ctx.loaders.order.prime(order.id, order);
    return toPage(orders, first, rows[0].total);
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
   * CONFLICT (the state machine refuses it). The order's row lock serializes this with
   * concurrent cancels and saga steps, and the compensation (orders.order.cancelled for
   * catalog, orders.refund.requested if a capture is known) commits with the change.
   */
  async cancel(ctx: OrderContext, id: string): Promise<Order> {
    const order = await ctx.em.transactional(async (em) => {
      const locked = isUuid(id) ? await this.saga.lockOrder(em, id) : null;
      if (!locked || !isOwnerOrAdmin(ctx, locked.userId)) throw notFound('Order');
      const before = locked.status;
      const cancelled = await this.saga.cancel(em, locked);
      if (ctx.caller?.role === 'ADMIN' && before !== cancelled.status) {
        await recordAudit(em, 'orders', {
          actorId: ctx.caller.userId,
          action: 'order.cancelled',
          targetType: 'Order',
          targetId: cancelled.id,
          before: { status: before },
          after: { status: cancelled.status },
        });
      }
      return cancelled;
    });
    ctx.loaders.order.clear(id).prime(id, order);
    return order;
  }
}
