import { isOwnerOrAdmin, isUuid } from '@storegraph/common';
import type { PaymentsContext } from '../context';
import type { Payment } from '../entities';

type PaymentContext = Pick<PaymentsContext, 'loaders' | 'caller'>;

/** Reading payments: each is visible only to the user who pays and to ADMIN. */
export class PaymentService {
  async findVisible(ctx: PaymentContext, id: string): Promise<Payment | null> {
    if (!isUuid(id)) return null;
    return this.visible(ctx, await ctx.loaders.payment.load(id));
  }

  /** The order's payment attempt (one per order), or null when there is none (or it is not the caller's). */
  async latestForOrder(ctx: PaymentContext, orderId: string): Promise<Payment | null> {
    if (!isUuid(orderId)) return null;
    return this.visible(ctx, await ctx.loaders.latestPayment.load(orderId));
  }

  private visible(ctx: PaymentContext, payment: Payment | null): Payment | null {
    return payment && isOwnerOrAdmin(ctx, payment.userId) ? payment : null;
  }
}
