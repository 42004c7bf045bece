import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, executePrepared, sql } from '@storegraph/common';
import type { OrdersContext } from '../context';
import { Cart, type CartPricing } from '../types/cart.type';
import type { CartService } from './cart.service';
import { couponProblem, discountFor, normalizeCode, type HeldCoupon } from './coupon.rules';
import { COUPON_COLUMNS, heldCouponFromRow, heldCouponQuery, userUsesOf, type CouponRow } from './coupon.row';

type CartContext = Pick<OrdersContext, 'em' | 'loaders'>;

/** The coupon `userId`'s cart holds, with the user's uses of it; null without one. */
export async function readHeldCoupon(em: EntityManager, userId: string): Promise<HeldCoupon | null> {
  const [row] = await executePrepared<CouponRow>(em, heldCouponQuery(userId));
  return row ? heldCouponFromRow(row) : null;
}

/** A coupon on a cart: applying, removing, and what it takes off the cart now. */
export class CartCouponService {
  constructor(private readonly carts: CartService) {}

  /**
   * Refused with BAD_USER_INPUT, the cart unchanged, when the code is unknown or the coupon
   * cannot be used now on this cart (couponProblem). A cart holds one coupon: applying
   * another replaces it. Checkout checks it all again.
   */
  async apply(ctx: CartContext, userId: string, code: string): Promise<Cart> {
    const lookup = normalizeCode(code);
    const [row] =
      lookup === null
        ? []
        : await executePrepared<CouponRow>(
            ctx.em,
            sql`select ${COUPON_COLUMNS}, ${userUsesOf(sql`${userId}::uuid`, sql`c.id`)} as user_uses
                  from coupons c where lower(c.code) = lower(${lookup})`,
          );
    if (!row) throw badInput(`No coupon has the code "${code}"`, 'code');
    const coupon = heldCouponFromRow(row);
    const cart = await this.carts.getCart(ctx, userId);
    const problem = couponProblem(coupon, await this.carts.subtotalMinor(ctx, cart));
    if (problem) throw badInput(problem, 'code');
    await executePrepared(
      ctx.em,
      sql`insert into cart_coupons (user_id, coupon_id) values (${userId}::uuid, ${coupon.id}::uuid)
          on conflict (user_id) do update set coupon_id = excluded.coupon_id`,
    );
    cart.heldCoupon = Promise.resolve(coupon);
    return cart;
  }

  /** Removing a coupon the cart does not hold leaves it as it is: the outcome the caller wanted. */
  async remove(ctx: CartContext, userId: string): Promise<Cart> {
    await executePrepared(ctx.em, sql`delete from cart_coupons where user_id = ${userId}::uuid`);
    const cart = await this.carts.getCart(ctx, userId);
    cart.heldCoupon = Promise.resolve(null);
    return cart;
  }

  /**
   * The cart's subtotal, coupon and discount now, once per cart. A coupon that no longer
   * applies (deactivated, outside its window, used up, above the subtotal's reach) stays
   * on the cart and takes off 0.00: the shopper sees it, and checkout refuses it.
   */
  pricing(ctx: CartContext, cart: Cart): Promise<CartPricing> {
    cart.pricing ??= (async () => {
      cart.heldCoupon ??= readHeldCoupon(ctx.em, cart.userId);
      const [subtotalMinor, coupon] = await Promise.all([this.carts.subtotalMinor(ctx, cart), cart.heldCoupon]);
      const discountMinor = coupon && couponProblem(coupon, subtotalMinor) === null ? discountFor(coupon, subtotalMinor) : 0;
      return { subtotalMinor, coupon, discountMinor };
    })();
    return cart.pricing;
  }
}
