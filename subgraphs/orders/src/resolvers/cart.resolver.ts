import { money, requireCaller, Money } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { OrdersContext } from '../context';
import { CartItem } from '../entities';
import { Cart } from '../types/cart.type';
import { ProductStub, productStub } from '../types/product.stub';

@Resolver(() => Cart)
export class CartResolver {
  @Query(() => Cart, { description: "The signed-in user's cart." })
  cart(@Ctx() ctx: OrdersContext): Promise<Cart> {
    return ctx.services.cart.getCart(ctx, requireCaller(ctx).userId);
  }

  @Mutation(() => Cart, { description: 'Signed in. Adds quantity (>= 1) to the line for this product.' })
  async addToCart(
    @Arg('productId', () => ID) productId: string,
    @Arg('quantity', () => Int) quantity: number,
    @Ctx() ctx: OrdersContext,
  ): Promise<Cart> {
    const { userId } = requireCaller(ctx);
    await ctx.services.limits.consume('addToCart', userId);
    return ctx.services.cart.addToCart(ctx, userId, productId, quantity);
  }

  @Mutation(() => Cart, { description: "Signed in. Sets the line's quantity; 0 removes it." })
  updateCartItem(
    @Arg('productId', () => ID) productId: string,
    @Arg('quantity', () => Int) quantity: number,
    @Ctx() ctx: OrdersContext,
  ): Promise<Cart> {
    return ctx.services.cart.updateCartItem(ctx, requireCaller(ctx).userId, productId, quantity);
  }

  @Mutation(() => Cart, { description: 'Signed in.' })
  removeFromCart(@Arg('productId', () => ID) productId: string, @Ctx() ctx: OrdersContext): Promise<Cart> {
    return ctx.services.cart.removeFromCart(ctx, requireCaller(ctx).userId, productId);
  }

  @Mutation(() => Cart, {
    description: 'Signed in. Unknown, inactive, expired, used up, or below its minSubtotal: BAD_USER_INPUT, cart unchanged.',
  })
  applyCoupon(@Arg('code', () => String) code: string, @Ctx() ctx: OrdersContext): Promise<Cart> {
    return ctx.services.cartCoupons.apply(ctx, requireCaller(ctx).userId, code);
  }

  @Mutation(() => Cart, { description: 'Signed in.' })
  removeCoupon(@Ctx() ctx: OrdersContext): Promise<Cart> {
    return ctx.services.cartCoupons.remove(ctx, requireCaller(ctx).userId);
  }

  @FieldResolver(() => Money, { description: 'Sum of current catalog price x quantity.' })
  subtotal(@Root() cart: Cart, @Ctx() ctx: OrdersContext): Promise<Money> {
    return ctx.services.cart.subtotal(ctx, cart);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The coupon applied to the cart, if any.' })
  async coupon(@Root() cart: Cart, @Ctx() ctx: OrdersContext): Promise<string | null> {
    return (await ctx.services.cartCoupons.pricing(ctx, cart)).coupon?.code ?? null;
  }

  @FieldResolver(() => Money, { description: 'What the coupon takes off now; 0.00 without one.' })
  async discount(@Root() cart: Cart, @Ctx() ctx: OrdersContext): Promise<Money> {
    return money((await ctx.services.cartCoupons.pricing(ctx, cart)).discountMinor, ctx.services.currency);
  }

  @FieldResolver(() => Money, { description: 'subtotal - discount' })
  async total(@Root() cart: Cart, @Ctx() ctx: OrdersContext): Promise<Money> {
    const { subtotalMinor, discountMinor } = await ctx.services.cartCoupons.pricing(ctx, cart);
    return money(subtotalMinor - discountMinor, ctx.services.currency);
  }
}

@Resolver(() => CartItem)
export class CartItemResolver {
  @FieldResolver(() => ProductStub)
  product(@Root() item: CartItem): ProductStub {
    return productStub(item.productId);
  }
}
