import { requireAdmin } from '@storegraph/common';
import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { CatalogContext } from '../context';
import { StockMovement, StockMovementConnection } from '../types/stock-movement.type';

@Resolver(() => StockMovement)
export class StockMovementResolver {
  @Query(() => StockMovementConnection, { description: 'ADMIN only. Newest first.' })
  stockMovements(
    @Arg('productId', () => ID) productId: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Ctx() ctx: CatalogContext,
  ): Promise<StockMovementConnection> {
    requireAdmin(ctx);
    return ctx.stockMovements.list(productId, first, after);
  }
}
