import { sql, type Sql } from '@storegraph/common';
import { OrderStatus } from '../entities';
import type { DiscountKind } from '../types/discount-kind.enum';
import type { CouponTerms, HeldCoupon } from './coupon.rules';

/** Every column of `coupons` the code reads, for hand-written statements (alias `c`). */
export const COUPON_COLUMNS: Sql = sql`c.id, c.code, c.kind, c.percent, c.amount_minor, c.min_subtotal_minor, c.starts_at, c.ends_at,
  c.max_uses, c.max_uses_per_user, c.uses, c.active`;

/** The statuses whose orders no longer hold a use of their coupon. */
export const RELEASED_STATUSES = [OrderStatus.FAILED, OrderStatus.CANCELLED];

/** The orders of `userId` that hold coupon `couponId` now: what maxUsesPerUser counts. */
export const userUsesOf = (userId: Sql, couponId: Sql): Sql =>
  sql`(select count(*)::int from orders o where o.user_id = ${userId} and o.coupon_id = ${couponId}
        and o.status <> all(${RELEASED_STATUSES}::text[]))`;

/** The coupon `userId`'s cart holds, with the user's uses of it: zero or one row. */
export const heldCouponQuery = (userId: string): Sql =>
  sql`select ${COUPON_COLUMNS}, ${userUsesOf(sql`cc.user_id`, sql`c.id`)} as user_uses
        from cart_coupons cc join coupons c on c.id = cc.coupon_id where cc.user_id = ${userId}::uuid`;

export interface CouponRow {
  id: string;
  code: string;
  kind: DiscountKind;
  percent: number | null;
  amount_minor: number | null;
  min_subtotal_minor: number | null;
  /** A Date from pg, an ISO string through row_to_json. */
  starts_at: Date | string | null;
  ends_at: Date | string | null;
  max_uses: number | null;
  max_uses_per_user: number | null;
  uses: number;
  active: boolean;
  user_uses?: number;
}

const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

export function couponFromRow(row: CouponRow): CouponTerms {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    percent: row.percent,
    amountMinor: row.amount_minor,
    minSubtotalMinor: row.min_subtotal_minor,
    startsAt: date(row.starts_at),
    endsAt: date(row.ends_at),
    maxUses: row.max_uses,
    maxUsesPerUser: row.max_uses_per_user,
    uses: row.uses,
    active: row.active,
  };
}

export function heldCouponFromRow(row: CouponRow): HeldCoupon {
  return { ...couponFromRow(row), userUses: row.user_uses ?? 0 };
}
