import { money, Money } from '@storegraph/common';
import { FieldResolver, Resolver, Root } from 'type-graphql';
import { Payment } from '../entities';
import { OrderStub, orderStub } from '../types/order.stub';

@Resolver(() => Payment)
export class PaymentResolver {
  @FieldResolver(() => OrderStub)
  order(@Root() payment: Payment): OrderStub {
    return orderStub(payment.orderId);
  }

  @FieldResolver(() => Money)
  amount(@Root() payment: Payment): Money {
    return money(payment.amountMinor, payment.currency);
  }
}
