import { hasCode } from '@storegraph/common';
import { couponProblem, discountFor, parseCouponInput, type HeldCoupon } from '../../src/services/coupon.rules';
import { DiscountKind } from '../../src/types/discount-kind.enum';

const { PERCENT, FIXED } = DiscountKind;

function coupon(overrides: Partial<HeldCoupon> = {}): HeldCoupon {
  return {
    id: 'c',
    code: 'SAVE',
    kind: PERCENT,
    percent: 10,
    amountMinor: null,
    minSubtotalMinor: null,
    startsAt: null,
    endsAt: null,
    maxUses: null,
    maxUsesPerUser: null,
    uses: 0,
    active: true,
    userUses: 0,
    ...overrides,
  };
}

function refused(input: Record<string, unknown>): boolean {
  try {
    parseCouponInput({ code: 'SAVE', kind: PERCENT, value: '10', ...input } as never);
    return false;
  } catch (err) {
    return hasCode(err, 'BAD_USER_INPUT');
  }
}

describe('coupon rules', () => {
  it('PERCENT rounds half up to the minor unit, in integers', () => {
    expect(discountFor(coupon({ percent: 10 }), 15)).toBe(2); // 1.5 -> 2
    expect(discountFor(coupon({ percent: 10 }), 14)).toBe(1); // 1.4 -> 1
    expect(discountFor(coupon({ percent: 15 }), 999)).toBe(150); // 149.85 -> 150
    expect(discountFor(coupon({ percent: 33 }), 1)).toBe(0); // 0.33 -> 0
    expect(discountFor(coupon({ percent: 50 }), 1)).toBe(1); // 0.5 -> 1
    expect(discountFor(coupon({ percent: 100 }), 12_345)).toBe(12_345);
    expect(discountFor(coupon({ percent: 100 }), 2_147_483_647)).toBe(2_147_483_647);
  });

  it('FIXED takes its amount, never more than the subtotal', () => {
    expect(discountFor(coupon({ kind: FIXED, percent: null, amountMinor: 500 }), 1200)).toBe(500);
    expect(discountFor(coupon({ kind: FIXED, percent: null, amountMinor: 500 }), 300)).toBe(300);
    expect(discountFor(coupon({ kind: FIXED, percent: null, amountMinor: 500 }), 0)).toBe(0);
  });

  it('names why a coupon cannot be used, in every case', () => {
    const now = new Date('2030-06-01T00:00:00Z');
    expect(couponProblem(coupon(), 100, now)).toBeNull();
    expect(couponProblem(coupon({ active: false }), 100, now)).toMatch(/no longer active/);
    expect(couponProblem(coupon({ startsAt: new Date('2030-06-02T00:00:00Z') }), 100, now)).toMatch(/not valid yet/);
    expect(couponProblem(coupon({ endsAt: now }), 100, now)).toMatch(/expired/);
    expect(couponProblem(coupon({ startsAt: now, endsAt: new Date('2030-06-02T00:00:00Z') }), 100, now)).toBeNull();
    expect(couponProblem(coupon({ maxUses: 3, uses: 3 }), 100, now)).toMatch(/used up/);
    expect(couponProblem(coupon({ maxUses: 3, uses: 2 }), 100, now)).toBeNull();
    expect(couponProblem(coupon({ maxUsesPerUser: 1, userUses: 1 }), 100, now)).toMatch(/one customer/);
    expect(couponProblem(coupon({ minSubtotalMinor: 101 }), 100, now)).toMatch(/at least 1.01/);
    expect(couponProblem(coupon({ minSubtotalMinor: 100 }), 100, now)).toBeNull();
  });

  it('parses a valid input into terms', () => {
    expect(parseCouponInput({ code: ' Spring-25 ', kind: FIXED, value: '5.5', minSubtotal: '20', maxUses: 0, maxUsesPerUser: 2 })).toEqual({
      code: 'Spring-25',
      kind: FIXED,
      percent: null,
      amountMinor: 550,
      minSubtotalMinor: 2000,
      startsAt: null,
      endsAt: null,
      maxUses: 0,
      maxUsesPerUser: 2,
    });
  });

  it.each([
    ['an empty code', { code: '' }],
    ['a code with a space', { code: 'TWO WORDS' }],
    ['a code of 65 characters', { code: 'A'.repeat(65) }],
    ['a PERCENT of 0', { value: '0' }],
    ['a PERCENT above 100', { value: '101' }],
    ['a fractional PERCENT', { value: '12.5' }],
    ['a PERCENT that is not a number', { value: 'ten' }],
    ['a FIXED of 0.00', { kind: FIXED, value: '0.00' }],
    ['a negative FIXED', { kind: FIXED, value: '-5.00' }],
    ['a FIXED with three decimals', { kind: FIXED, value: '5.001' }],
    ['an unknown kind', { kind: 'BOGO' }],
    ['a negative minSubtotal', { minSubtotal: '-1' }],
    ['a window that ends at its start', { startsAt: new Date('2030-01-01'), endsAt: new Date('2030-01-01') }],
    ['a window that ends before its start', { startsAt: new Date('2030-01-02'), endsAt: new Date('2030-01-01') }],
    ['a negative maxUses', { maxUses: -1 }],
    ['a negative maxUsesPerUser', { maxUsesPerUser: -1 }],
  ])('refuses %s with BAD_USER_INPUT', (_what, input) => {
    expect(refused(input)).toBe(true);
  });
});
