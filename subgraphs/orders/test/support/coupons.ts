import { unique } from '@storegraph/common/testing';
import { actor, ok, type Actor, type Harness } from './harness';

export const COUPON_FIELDS = 'code kind value minSubtotal { amount currency } startsAt endsAt maxUses maxUsesPerUser uses active';

export interface CouponShape {
  code: string;
  kind: string;
  value: string;
  minSubtotal: { amount: string; currency: string } | null;
  startsAt: string | null;
  endsAt: string | null;
  maxUses: number | null;
  maxUsesPerUser: number | null;
  uses: number;
  active: boolean;
}

export const CREATE_COUPON = `mutation($input: CreateCouponInput!) { createCoupon(input: $input) { ${COUPON_FIELDS} } }`;

/** A fresh coupon (10% off unless told otherwise), created by an ADMIN. */
export async function createCoupon(h: Harness, input: Record<string, unknown> = {}): Promise<CouponShape> {
  const data = await ok<{ createCoupon: CouponShape }>(
    h.ordersUrl,
    CREATE_COUPON,
    { input: { code: unique('SAVE').replace(/[^A-Za-z0-9_-]/g, ''), kind: 'PERCENT', value: '10', ...input } },
    actor(h.secret, 'ADMIN'),
  );
  return data.createCoupon;
}

export const PRICED_CART = 'items { product { id } quantity } subtotal { amount } coupon discount { amount } total { amount }';

export interface PricedCart {
  items: Array<{ product: { id: string }; quantity: number }>;
  subtotal: { amount: string };
  coupon: string | null;
  discount: { amount: string };
  total: { amount: string };
}

export const APPLY_COUPON = `mutation($code: String!) { applyCoupon(code: $code) { ${PRICED_CART} } }`;

export async function applyCoupon(h: Harness, who: Actor, code: string): Promise<PricedCart> {
  return (await ok<{ applyCoupon: PricedCart }>(h.ordersUrl, APPLY_COUPON, { code }, who)).applyCoupon;
}

export async function pricedCart(h: Harness, who: Actor): Promise<PricedCart> {
  return (await ok<{ cart: PricedCart }>(h.ordersUrl, `{ cart { ${PRICED_CART} } }`, {}, who)).cart;
}

/** Coupon.uses as the ADMIN list shows it. */
export async function usesOf(h: Harness, code: string): Promise<number> {
  const { coupons } = await ok<{ coupons: CouponShape[] }>(h.ordersUrl, `{ coupons { ${COUPON_FIELDS} } }`, {}, actor(h.secret, 'ADMIN'));
  const found = coupons.find((c) => c.code === code);
  if (!found) throw new Error(`coupon ${code} is not listed`);
  return found.uses;
}

/** What Coupon.uses must be: the orders that hold the coupon and are not FAILED or CANCELLED, counted in the table. */
export async function heldBy(h: Harness, code: string): Promise<number> {
  const [row] = await h.orders.database.orm.em
    .fork()
    .execute<Array<{ n: string }>>(
      `select count(*) as n from orders o join coupons c on c.id = o.coupon_id
        where lower(c.code) = lower(?) and o.status not in ('FAILED', 'CANCELLED')`,
      [code],
    );
  return Number(row.n);
}
