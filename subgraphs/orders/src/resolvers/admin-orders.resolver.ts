import { decodeCursor, requireAdmin, validateFirst } from '@storegraph/common';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { OrdersContext } from '../context';
import { Order } from '../entities';
import { OrderConnection } from '../types/order-connection.type';
import { OrderFilter } from '../types/order-filter.input';
import { ShipOrderInput } from '../types/ship-order.input';

/** The merchant's side of orders: every user's orders, and fulfilment. ADMIN only. */
@Resolver()
export class AdminOrdersResolver {
  @Query(() => OrderConnection, { description: "ADMIN only. Every user's orders, newest first." })
  orders(
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Arg('filter', () => OrderFilter, { nullable: true }) filter: OrderFilter | null | undefined,
    @Ctx() ctx: OrdersContext,
  ): Promise<OrderConnection> {
    requireAdmin(ctx);
    return ctx.services.order.listAll(ctx, validateFirst(first), after ? decodeCursor(after) : null, filter ?? {});
  }

  @Mutation(() => Order, {
    description:
      'ADMIN only. CONFIRMED -> SHIPPED with the carrier and tracking number (each non-blank, at most 100 characters: ' +
      'else BAD_USER_INPUT); any other status: CONFLICT.',
  })
  shipOrder(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => ShipOrderInput) input: ShipOrderInput,
    @Ctx() ctx: OrdersContext,
  ): Promise<Order> {
    requireAdmin(ctx);
    return ctx.services.fulfilment.ship(ctx, id, input);
  }

  @Mutation(() => Order, { description: 'ADMIN only. SHIPPED -> DELIVERED; any other status: CONFLICT.' })
  markOrderDelivered(@Arg('id', () => ID) id: string, @Ctx() ctx: OrdersContext): Promise<Order> {
    requireAdmin(ctx);
    return ctx.services.fulfilment.deliver(ctx, id);
  }
}
