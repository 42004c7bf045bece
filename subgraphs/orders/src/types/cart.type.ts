import { Field, ObjectType } from 'type-graphql';
import { CartItem } from '../entities';
import type { HeldCoupon } from '../services/coupon.rules';

/** What a cart costs now: the subtotal, the coupon it holds and what that takes off. */
export interface CartPricing {
  subtotalMinor: number;
  coupon: HeldCoupon | null;
  discountMinor: number;
}

/**
 * A user's cart as read now; `subtotal`, `coupon`, `discount` and `total` are priced lazily
 * by CartResolver, so a client that asks for none of them costs no catalog call or read.
 */
@ObjectType()
export class Cart {
  userId!: string;

  @Field(() => [CartItem])
  items!: CartItem[];

  /** The coupon, once read (or known to the mutation that returns the cart). */
  heldCoupon?: Promise<HeldCoupon | null>;

  /** Computed once per cart however many of its money fields are asked for. */
  pricing?: Promise<CartPricing>;
}
