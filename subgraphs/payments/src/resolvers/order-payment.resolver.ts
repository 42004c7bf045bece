import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { PaymentsContext } from '../context';
import { Payment } from '../entities';
import { OrderStub } from '../types/order.stub';

@Resolver(() => OrderStub)
export class OrderPaymentResolver {
  @FieldResolver(() => Payment, { nullable: true, description: 'null until a payment attempt exists.' })
  payment(@Root() order: OrderStub, @Ctx() ctx: PaymentsContext): Promise<Payment | null> {
    return ctx.services.payment.latestForOrder(ctx, order.id);
  }
}
