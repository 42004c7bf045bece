import { requireCaller, Money } from '@storegraph/common';
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

  @FieldResolver(() => Money, { description: 'Sum of current catalog price x quantity.' })
  subtotal(@Root() cart: Cart, @Ctx() ctx: OrdersContext): Promise<Money> {
    return ctx.services.cart.subtotal(ctx, cart);
  }
}

@Resolver(() => CartItem)
export class CartItemResolver {
  @FieldResolver(() => ProductStub)
  product(@Root() item: CartItem): ProductStub {
    return productStub(item.productId);
  }
}
