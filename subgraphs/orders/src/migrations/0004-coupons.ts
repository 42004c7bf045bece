import { Migration } from '@mikro-orm/migrations';

/**
 * Coupons, the one a cart holds, and what an order froze of it. The rules that must hold
 * under concurrency live in constraints: one code per spelling (case-insensitively), a use
 * count that never goes below zero nor past its limit, a value that fits its kind.
 * `orders.discount_minor` defaults to 0, so a checkout without a coupon writes the same row
 * as before; the subtotal is total + discount and needs no column of its own.
 */
export class Coupons0004 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table coupons (
        id uuid primary key,
        code text not null,
        kind text not null constraint coupons_kind_check check (kind in ('PERCENT', 'FIXED')),
        percent integer null,
        amount_minor integer null,
        min_subtotal_minor integer null constraint coupons_min_subtotal_check check (min_subtotal_minor >= 0),
        starts_at timestamptz null,
        ends_at timestamptz null,
        max_uses integer null constraint coupons_max_uses_check check (max_uses >= 0),
        max_uses_per_user integer null constraint coupons_max_uses_per_user_check check (max_uses_per_user >= 0),
        uses integer not null default 0,
        active boolean not null default true,
        created_at timestamptz not null default now(),
        constraint coupons_value_check check (
          (kind = 'PERCENT' and percent between 1 and 100 and amount_minor is null)
          or (kind = 'FIXED' and amount_minor > 0 and percent is null)),
        constraint coupons_window_check check (starts_at is null or ends_at is null or ends_at > starts_at),
        constraint coupons_uses_check check (uses >= 0 and (max_uses is null or uses <= max_uses))
      )`);
    this.addSql('create unique index coupons_code_unique on coupons (lower(code))');
    this.addSql(`
      create table cart_coupons (
        user_id uuid primary key,
        coupon_id uuid not null constraint cart_coupons_coupon_id_fk references coupons (id)
      )`);
    this.addSql(`
      alter table orders
        add column discount_minor integer not null default 0 constraint orders_discount_minor_check check (discount_minor >= 0),
        add column coupon_id uuid null constraint orders_coupon_id_fk references coupons (id),
        add column coupon_code text null`);
    // maxUsesPerUser counts a user's orders that hold the coupon.
    this.addSql('create index orders_user_coupon_idx on orders (user_id, coupon_id) where coupon_id is not null');
  }
}
