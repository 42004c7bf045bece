import { money, Money, requireCaller } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { OrdersContext } from '../context';
import { Order } from '../entities';
import { CheckoutInput } from '../types/checkout.input';
import { OrderItemView } from '../types/order-item.type';
import { OrderStatusChange } from '../types/order-status-change.type';
import { Shipment } from '../types/shipment.type';
import { ShippingAddress } from '../types/shipping-address.type';
import { UserStub, userStub } from '../types/user.stub';

@Resolver(() => Order)
export class OrderResolver {
  @Query(() => Order, { nullable: true, description: 'The order if the caller owns it or is ADMIN; otherwise null.' })
  order(@Arg('id', () => ID) id: string, @Ctx() ctx: OrdersContext): Promise<Order | null> {
    return ctx.services.order.findVisible(ctx, id);
  }

  @Mutation(() => Order, {
    description:
      'Signed in. Places an order for the whole cart and empties the cart. Returns at once, status PENDING; ' +
      'the saga then moves it on. Empty cart: BAD_USER_INPUT.',
  })
  async checkout(@Arg('input', () => CheckoutInput) input: CheckoutInput, @Ctx() ctx: OrdersContext): Promise<Order> {
    const { userId } = requireCaller(ctx);
    await ctx.services.limits.consume('checkout', userId);
    return ctx.services.checkout.checkout(ctx, userId, input);
  }

  @Mutation(() => Order, {
    description:
      'Owner or ADMIN. PENDING, RESERVED or CONFIRMED -> CANCELLED; already CANCELLED -> returned unchanged; ' +
      'FAILED, SHIPPED or DELIVERED -> CONFLICT.',
  })
  cancelOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: OrdersContext): Promise<Order> {
    requireCaller(ctx);
    return ctx.services.order.cancel(ctx, id);
  }

  @FieldResolver(() => UserStub)
  user(@Root() order: Order): UserStub {
    return userStub(order.userId);
  }

  @FieldResolver(() => [OrderItemView])
  items(@Root() order: Order, @Ctx() ctx: OrdersContext): Promise<OrderItemView[]> {
    return ctx.services.order.items(ctx, order);
  }

  @FieldResolver(() => Money, { description: 'Sum of unitPrice x quantity.' })
  subtotal(@Root() order: Order): Money {
    return money(order.totalMinor + order.discountMinor, order.currency);
  }

  @FieldResolver(() => Money)
  discount(@Root() order: Order): Money {
    return money(order.discountMinor, order.currency);
  }

  @FieldResolver(() => String, { nullable: true })
  coupon(@Root() order: Order): string | null {
    return order.couponCode;
  }

  @FieldResolver(() => Money)
  total(@Root() order: Order): Money {
    return money(order.totalMinor, order.currency);
  }

  @FieldResolver(() => [OrderStatusChange], { description: 'Every status the order has had, oldest first, starting with PENDING.' })
  statusHistory(@Root() order: Order): OrderStatusChange[] {
    return order.statusHistory.map((entry) => Object.assign(new OrderStatusChange(), { status: entry.status, at: new Date(entry.at) }));
  }

  @FieldResolver(() => ShippingAddress, { nullable: true, description: 'null when the order was placed without an address.' })
  shippingAddress(@Root() order: Order): ShippingAddress | null {
    return order.shippingAddress && Object.assign(new ShippingAddress(), order.shippingAddress);
  }

  @FieldResolver(() => Shipment, { nullable: true, description: 'null until SHIPPED.' })
  shipment(@Root() order: Order): Shipment | null {
    if (!order.carrier || !order.trackingNumber || !order.shippedAt) return null;
    return Object.assign(new Shipment(), {
      carrier: order.carrier,
      trackingNumber: order.trackingNumber,
      shippedAt: order.shippedAt,
      deliveredAt: order.deliveredAt,
    });
  }
}
