import type { OrdersContext } from '../context';
import type { Order } from '../entities';
import { type UserStub, userStub } from '../types/user.stub';

/** `_entities` lookups: batched through the request's DataLoader, filtered by visibility. */
export const orderReference = {
  __resolveReference: (ref: { id: string }, ctx: OrdersContext): Promise<Order | null> =>
    ctx.services.order.findVisible(ctx, ref.id),
};

/** Users are owned by the users subgraph; here a reference only carries the id `orders` needs. */
export const userReference = {
  __resolveReference: (ref: { id: string }): UserStub => userStub(ref.id),
};
