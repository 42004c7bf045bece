import { Field, InputType } from 'type-graphql';

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
}
