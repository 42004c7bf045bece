import { forbidden, isOwnerOrAdmin, requireCaller, validateFirst } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CatalogContext } from '../context';
import { ProductConnection } from '../types/product-connection.type';
import { UserStub } from '../types/user.stub';

@Resolver(() => UserStub)
export class WishlistResolver {
  @Mutation(() => Boolean, { description: 'Signed in. Idempotent.' })
  addToWishlist(@Arg('productId', () => ID) productId: string, @Ctx() ctx: CatalogContext): Promise<boolean> {
    return ctx.wishlists.add(requireCaller(ctx).userId, productId);
  }

  @Mutation(() => Boolean, { description: 'Signed in. Idempotent.' })
  removeFromWishlist(@Arg('productId', () => ID) productId: string, @Ctx() ctx: CatalogContext): Promise<boolean> {
    return ctx.wishlists.remove(requireCaller(ctx).userId, productId);
  }

  @FieldResolver(() => ProductConnection, { description: 'Owner or ADMIN. Products the user saved, newest saved first.' })
  wishlist(
    @Root() user: UserStub,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Ctx() ctx: CatalogContext,
  ): Promise<ProductConnection> {
    requireCaller(ctx);
    if (!isOwnerOrAdmin(ctx, user.id)) throw forbidden("Only the user and ADMIN see a user's wishlist");
    return ctx.wishlists.list(user.id, validateFirst(first), after);
  }
}
