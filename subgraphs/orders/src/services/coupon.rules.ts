import { badInput, formatAmount, money, parsePrice } from '@storegraph/common';
import { Coupon } from '../types/coupon.type';
import type { CreateCouponInput } from '../types/create-coupon.input';
import { DiscountKind } from '../types/discount-kind.enum';

/**
 * What a coupon says, as stored. PERCENT keeps its whole percentage, FIXED its amount in
 * minor units of the store currency; the other is null.
 */
export interface CouponTerms {
  id: string;
  code: string;
  kind: DiscountKind;
  percent: number | null;
  amountMinor: number | null;
  minSubtotalMinor: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  maxUses: number | null;
  maxUsesPerUser: number | null;
  uses: number;
  active: boolean;
}

/** A coupon held by a cart, with the orders of the cart's owner that hold it now. */
export interface HeldCoupon extends CouponTerms {
  userUses: number;
}

/**
 * Codes are ASCII letters, digits, '-' and '_': what a shopper can type on any keyboard,
 * and what PostgreSQL's lower() and JavaScript's toLowerCase() fold alike, so "unique
 * case-insensitively" means the same thing in the index and in a lookup.
 */
const CODE = /^[A-Za-z0-9_-]{1,64}$/;
const PERCENT = /^\d{1,3}$/;
const MAX_LIMIT = 2_147_483_647;

/** A code as it may be looked up, or null when no coupon can have it. */
export function normalizeCode(code: string): string | null {
  const trimmed = code.trim();
  return CODE.test(trimmed) ? trimmed : null;
}

/** createCoupon's input checked and turned into terms (every problem is BAD_USER_INPUT). */
export function parseCouponInput(input: CreateCouponInput): Omit<CouponTerms, 'id' | 'uses' | 'active'> {
  const code = normalizeCode(input.code);
  if (code === null) throw badInput('code must be 1 to 64 letters, digits, "-" or "_"', 'code');
  let percent: number | null = null;
  let amountMinor: number | null = null;
  if (input.kind === DiscountKind.PERCENT) {
    const value = input.value.trim();
    percent = PERCENT.test(value) ? Number(value) : NaN;
    if (!(percent >= 1 && percent <= 100)) throw badInput('a PERCENT value is a whole number from "1" to "100"', 'value');
  } else if (input.kind === DiscountKind.FIXED) {
    amountMinor = parsePrice(input.value, 'value');
    if (amountMinor === 0) throw badInput('a FIXED value must be more than 0.00', 'value');
  } else {
    throw badInput('kind must be PERCENT or FIXED', 'kind');
  }
  const minSubtotalMinor = input.minSubtotal == null ? null : parsePrice(input.minSubtotal, 'minSubtotal');
  const startsAt = input.startsAt ?? null;
  const endsAt = input.endsAt ?? null;
  if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) throw badInput('endsAt must be after startsAt', 'endsAt');
  return {
    code,
    kind: input.kind,
    percent,
    amountMinor,
    minSubtotalMinor,
    startsAt,
    endsAt,
    maxUses: limit(input.maxUses, 'maxUses'),
    maxUsesPerUser: limit(input.maxUsesPerUser, 'maxUsesPerUser'),
  };
}

function limit(value: number | null | undefined, field: string): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 0 || value > MAX_LIMIT) throw badInput(`${field} must not be negative`, field);
  return value;
}

/**
 * Why the coupon cannot be used now on this subtotal, or null when it can. The same rule
 * at applyCoupon, for Cart.discount and before checkout; checkout's statement checks the
 * limits again under the coupon's row lock.
 */
export function couponProblem(coupon: HeldCoupon, subtotalMinor: number, now = new Date()): string | null {
  if (!coupon.active) return `Coupon ${coupon.code} is no longer active`;
  if (coupon.startsAt && now < coupon.startsAt) return `Coupon ${coupon.code} is not valid yet`;
  if (coupon.endsAt && now >= coupon.endsAt) return `Coupon ${coupon.code} has expired`;
  if (coupon.maxUses !== null && coupon.uses >= coupon.maxUses) return `Coupon ${coupon.code} is used up`;
  if (coupon.maxUsesPerUser !== null && coupon.userUses >= coupon.maxUsesPerUser) {
    return `Coupon ${coupon.code} has been used as often as one customer may`;
  }
  if (coupon.minSubtotalMinor !== null && subtotalMinor < coupon.minSubtotalMinor) {
    return `Coupon ${coupon.code} needs a subtotal of at least ${formatAmount(coupon.minSubtotalMinor)}`;
  }
  return null;
}

/**
 * What the coupon takes off `subtotalMinor`, in minor units, never more than the subtotal.
 * PERCENT rounds half up to the minor unit (10% of 0.15 is 0.02, of 0.14 is 0.01),
 * in integers: no floating point touches money.
 */
export function discountFor(coupon: CouponTerms, subtotalMinor: number): number {
  if (coupon.kind === DiscountKind.PERCENT) return Math.floor((subtotalMinor * (coupon.percent ?? 0) + 50) / 100);
  return Math.min(coupon.amountMinor ?? 0, subtotalMinor);
}

export function couponView(terms: CouponTerms, currency: string): Coupon {
  return Object.assign(new Coupon(), {
    code: terms.code,
    kind: terms.kind,
    value: terms.kind === DiscountKind.PERCENT ? String(terms.percent) : formatAmount(terms.amountMinor ?? 0),
    minSubtotal: terms.minSubtotalMinor === null ? null : money(terms.minSubtotalMinor, currency),
    startsAt: terms.startsAt,
    endsAt: terms.endsAt,
    maxUses: terms.maxUses,
    maxUsesPerUser: terms.maxUsesPerUser,
    uses: terms.uses,
    active: terms.active,
  });
}
