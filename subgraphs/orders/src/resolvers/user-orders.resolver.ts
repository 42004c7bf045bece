import { decodeCursor, forbidden, isOwnerOrAdmin, requireCaller, validateFirst } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { OrdersContext } from '../context';
import { OrderConnection } from '../types/order-connection.type';
import { UserStub } from '../types/user.stub';

@Resolver(() => UserStub)
export class UserOrdersResolver {
  @FieldResolver(() => OrderConnection, { description: "The user's orders, newest first. Visible to the user and to ADMIN." })
  orders(
    @Root() user: UserStub,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Ctx() ctx: OrdersContext,
  ): Promise<OrderConnection> {
    requireCaller(ctx);
    if (!isOwnerOrAdmin(ctx, user.id)) throw forbidden("Only the user and ADMIN see a user's orders");
    return ctx.services.order.listForUser(ctx, user.id, validateFirst(first), after ? decodeCursor(after) : null);
  }
}
