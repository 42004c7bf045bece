import { badInput, isUuid, notFound, recordAudit, requireAdmin } from '@storegraph/common';
import type { OrdersContext } from '../context';
import { type Order, OrderStatus } from '../entities';
import type { ShipOrderInput } from '../types/ship-order.input';
import type { OrderSagaService } from './order-saga.service';
import { transitionOrder } from './order-state-machine';

/** What a carrier's label and API accept; longer is a paste error, not a tracking number. */
export const MAX_SHIPMENT_FIELD_LENGTH = 100;

type FulfilmentContext = Pick<OrdersContext, 'em' | 'loaders' | 'caller'>;

function shipmentField(field: 'carrier' | 'trackingNumber', raw: string): string {
  const value = raw.trim();
  if (value.length === 0 || value.length > MAX_SHIPMENT_FIELD_LENGTH) {
    throw badInput(`${field} must be 1 to ${MAX_SHIPMENT_FIELD_LENGTH} characters, not blank`, field);
  }
  return value;
}

/**
 * After the saga: CONFIRMED -> SHIPPED -> DELIVERED, done by an ADMIN (the resolvers check
 * the role). Each move holds the order's row lock, goes through the state machine (any
 * other status: CONFLICT) and commits its event (orders.order.shipped / delivered, which
 * live subscribers and the shipping email follow) and its audit entry with the change.
 */
export class FulfilmentService {
  constructor(private readonly saga: OrderSagaService) {}

  ship(ctx: FulfilmentContext, id: string, input: ShipOrderInput): Promise<Order> {
    const carrier = shipmentField('carrier', input.carrier);
    const trackingNumber = shipmentField('trackingNumber', input.trackingNumber);
    return this.move(ctx, id, OrderStatus.SHIPPED, 'order.shipped', (order) => Object.assign(order, { carrier, trackingNumber }));
  }

  deliver(ctx: FulfilmentContext, id: string): Promise<Order> {
    return this.move(ctx, id, OrderStatus.DELIVERED, 'order.delivered', (order) => order);
  }

  private async move(
    ctx: FulfilmentContext,
    id: string,
    to: OrderStatus,
    action: 'order.shipped' | 'order.delivered',
    prepare: (order: Order) => Order,
  ): Promise<Order> {
    const order = await ctx.em.transactional(async (em) => {
      const locked = isUuid(id) ? await this.saga.lockOrder(em, id) : null;
      if (!locked) throw notFound('Order');
      const before = { status: locked.status };
      // From any status but the one before `to`, the state machine refuses (CONFLICT).
      const moved = await transitionOrder(em, prepare(locked), to);
      await recordAudit(em, 'orders', {
        actorId: requireAdmin(ctx).userId,
        action,
        targetType: 'Order',
        targetId: moved.id,
        before,
        after: to === OrderStatus.SHIPPED ? { status: moved.status, carrier: moved.carrier, trackingNumber: moved.trackingNumber } : { status: moved.status },
      });
      return moved;
    });
    ctx.loaders.order.clear(id).prime(id, order);
    return order;
  }
}
