import { requireAdmin } from '@storegraph/common';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { OrdersContext } from '../context';
import { Coupon } from '../types/coupon.type';
import { CreateCouponInput } from '../types/create-coupon.input';

@Resolver(() => Coupon)
export class CouponResolver {
  @Query(() => [Coupon], { description: 'ADMIN only.' })
  coupons(@Ctx() ctx: OrdersContext): Promise<Coupon[]> {
    requireAdmin(ctx);
    return ctx.services.coupons.list(ctx);
  }

  @Mutation(() => Coupon, { description: 'ADMIN only.' })
  createCoupon(@Arg('input', () => CreateCouponInput) input: CreateCouponInput, @Ctx() ctx: OrdersContext): Promise<Coupon> {
    requireAdmin(ctx);
    return ctx.services.coupons.create(ctx, input);
  }

  @Mutation(() => Coupon, { description: 'ADMIN only. Orders that already hold it keep their discount.' })
  deactivateCoupon(@Arg('code', () => String) code: string, @Ctx() ctx: OrdersContext): Promise<Coupon> {
    requireAdmin(ctx);
    return ctx.services.coupons.deactivate(ctx, code);
  }
}
