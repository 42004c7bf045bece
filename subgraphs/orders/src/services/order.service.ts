import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, executePrepared, isOwnerOrAdmin, isUuid, money, notFound, recordAudit, toPage, uuidv7Range, type Page } from '@storegraph/common';
import type { OrdersContext } from '../context';
import { Order } from '../entities';
import type { OrderFilter } from '../types/order-filter.input';
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

  /**
   * Every user's orders, newest first (the caller has been checked: ADMIN). Keyset pages
   * by id (UUIDv7, so id order is placement order): with a status, orders_status_id_idx;
   * with a user, orders_user_id_id_idx; else the primary key. Placement-time bounds are
   * also id bounds, because checkout makes an order's id from its createdAt millisecond,
   * so they narrow the same index walk; createdAt itself stays the exact test.
   */
  async listAll(ctx: OrderContext, first: number, afterId: string | null, filter: OrderFilter): Promise<Page<Order>> {
    const { page, count } = adminOrderQueries(ctx.em, first, afterId, filter);
    const [rows, totalCount] = await Promise.all([page.getResultList(), count.getCount()]);
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
   * PENDING, RESERVED or CONFIRMED -> CANCELLED; CANCELLED stays as it is; FAILED,
   * SHIPPED and DELIVERED are a CONFLICT (the state machine refuses them). The order's
   * row lock serializes this with concurrent cancels and saga steps, and the compensation
   * (orders.order.cancelled for catalog, orders.refund.requested if a capture is known)
   * commits with the change.
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

/** The statements of one page of Query.orders and its count (the plan test explains these very ones). */
export function adminOrderQueries(em: EntityManager, first: number, afterId: string | null, filter: OrderFilter) {
  const where = adminFilter(filter);
  return {
    page: em
      .createQueryBuilder(Order)
      .where(afterId ? { $and: [where, { id: { $lt: afterId } }] } : where)
      .orderBy({ id: 'desc' })
      .limit(first + 1),
    count: em.createQueryBuilder(Order).where(where),
  };
}

/** The admin filter as a query, or BAD_USER_INPUT for an id that is no id and an empty time range. */
function adminFilter(filter: OrderFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filter.status) where.status = filter.status;
  if (filter.userId != null) {
    if (!isUuid(filter.userId)) throw badInput('userId is not a user id', 'userId');
    where.userId = filter.userId.toLowerCase();
  }
  const after = filter.placedAfter ?? null;
  const before = filter.placedBefore ?? null;
  if (after && before && after.getTime() > before.getTime()) throw badInput('placedAfter must not be later than placedBefore', 'placedAfter');
  if (after || before) {
    where.createdAt = { ...(after ? { $gte: after } : {}), ...(before ? { $lte: before } : {}) };
    where.id = {
      ...(after ? { $gte: uuidv7Range(after.getTime()).lowest } : {}),
      ...(before ? { $lte: uuidv7Range(before.getTime()).highest } : {}),
    };
  }
  return where;
}
