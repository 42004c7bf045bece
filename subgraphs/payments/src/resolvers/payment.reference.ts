import type { PaymentsContext } from '../context';
import type { Payment } from '../entities';
import { type OrderStub, orderStub } from '../types/order.stub';

/** `_entities` lookups: batched through the request's DataLoader, filtered by visibility. */
export const paymentReference = {
  __resolveReference: (ref: { id: string }, ctx: PaymentsContext): Promise<Payment | null> =>
    ctx.services.payment.findVisible(ctx, ref.id),
};

/** Orders are owned by the orders subgraph; here a reference only carries the id `payment` needs. */
export const orderReference = {
  __resolveReference: (ref: { id: string }): OrderStub => orderStub(ref.id),
};
