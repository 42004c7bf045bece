import { AddressInput } from '@storegraph/common';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class CheckoutInput {
  @Field(() => String, {
    description:
      'Token from the payment provider. The built-in test provider accepts:\n' +
      'tok_visa, tok_mastercard (approved); tok_chargeDeclined, tok_insufficientFunds (declined);\n' +
      'tok_delayed (approved, but only after PAYMENT_TEST_DELAY_MS, default 3000: a slow provider).\n' +
      'Any other token is declined.',
  })
  paymentToken!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Client-chosen key (<= 255 chars). Repeating checkout with the same key and the same\n' +
      'input returns the first order instead of placing another; with other input: CONFLICT.',
  })
  idempotencyKey?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      "One of the caller's addresses; NOT_FOUND when it is not theirs. Without this and without shippingAddress: the default address, if any.",
  })
  shippingAddressId?: string | null;

  @Field(() => AddressInput, {
    nullable: true,
    description: 'An address for this order only (validated as addAddress does; isDefault is ignored). Not with shippingAddressId.',
  })
  shippingAddress?: AddressInput | null;
}
