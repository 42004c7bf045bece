import { requireCaller } from '@storegraph/common';
import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { OrdersContext } from '../context';
import { Order } from '../entities';

type FollowData = SubscribeResolverData<unknown, { orderId: string }, OrdersContext>;

/** Anonymous callers are refused here; who may follow which order is the feed's decision. */
function followOrder({ args, context }: FollowData): Promise<AsyncIterableIterator<Order>> {
  requireCaller(context);
  return context.services.statusFeed.follow(context, args.orderId);
}

@Resolver()
export class OrderStatusResolver {
  @Subscription(() => Order, {
    subscribe: followOrder,
    description:
      'Owner or ADMIN. First sends the order as it is now, then once for every later status change, ' +
      'in order, none skipped; completes after DELIVERED, CANCELLED or FAILED (a CONFIRMED order can ' +
      'still be cancelled or shipped). Any field of Order may be selected, including fields owned by other subgraphs.',
  })
  orderStatusChanged(@Arg('orderId', () => ID) _orderId: string, @Root() order: Order): Order {
    // Each value of the feed is already the order to send.
    return order;
  }
}
