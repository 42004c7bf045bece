import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, executePrepared, notFound, recordAudit, requireAdmin, sql, uuidv7, type Logger } from '@storegraph/common';
import type { OrdersContext } from '../context';
import type { Coupon } from '../types/coupon.type';
import type { CreateCouponInput } from '../types/create-coupon.input';
import { couponView, normalizeCode, parseCouponInput, type CouponTerms } from './coupon.rules';
import { COUPON_COLUMNS, couponFromRow, type CouponRow } from './coupon.row';

type CouponContext = Pick<OrdersContext, 'em' | 'caller'>;

/** What an ADMIN's change to a coupon is recorded as. */
export type CouponAction = 'coupon.created' | 'coupon.deactivated';

/** A coupon as written, and what the audit entry says changed (after null: nothing did). */
interface CouponChange {
  coupon: CouponTerms;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The ADMIN's side of coupons: creating, deactivating, listing. Callers have checked the role. */
export class CouponService {
  constructor(
    private readonly currency: string,
    private readonly logger: Logger,
  ) {}

  /** Newest first. */
  async list(ctx: CouponContext): Promise<Coupon[]> {
    const rows = await executePrepared<CouponRow>(ctx.em, sql`select ${COUPON_COLUMNS} from coupons c order by c.id desc`);
    return rows.map((row) => couponView(couponFromRow(row), this.currency));
  }

  /** A code taken in any spelling is CONFLICT: the unique index on lower(code) decides, also between concurrent creates. */
  create(ctx: CouponContext, input: CreateCouponInput): Promise<Coupon> {
    const terms = parseCouponInput(input);
    return this.change(ctx, 'coupon.created', async (tx) => {
      const [row] = await executePrepared<CouponRow>(
        tx,
        sql`insert into coupons as c (id, code, kind, percent, amount_minor, min_subtotal_minor, starts_at, ends_at, max_uses, max_uses_per_user)
            values (${uuidv7()}::uuid, ${terms.code}, ${terms.kind}, ${terms.percent}::int, ${terms.amountMinor}::int,
                    ${terms.minSubtotalMinor}::int, ${terms.startsAt}::timestamptz, ${terms.endsAt}::timestamptz,
                    ${terms.maxUses}::int, ${terms.maxUsesPerUser}::int)
            on conflict ((lower(code))) do nothing
            returning ${COUPON_COLUMNS}`,
      );
      if (!row) throw conflict(`A coupon with the code "${terms.code}" already exists`);
      const created = couponFromRow(row);
      return { coupon: created, before: null, after: { ...created } };
    });
  }

  /** Idempotent: deactivating an inactive coupon returns it as it is. Orders that hold it keep their discount. */
  deactivate(ctx: CouponContext, code: string): Promise<Coupon> {
    const lookup = normalizeCode(code);
    if (lookup === null) throw notFound('Coupon');
    return this.change(ctx, 'coupon.deactivated', async (tx) => {
      const [row] = await executePrepared<CouponRow & { was_active: boolean }>(
        tx,
        sql`with prior as (select id, active from coupons where lower(code) = lower(${lookup}) for update)
            update coupons c set active = false from prior where c.id = prior.id
            returning ${COUPON_COLUMNS}, prior.active as was_active`,
      );
      if (!row) throw notFound('Coupon');
      // Already inactive: nothing changed, so nothing to record.
      return { coupon: couponFromRow(row), before: row.was_active ? { active: true } : null, after: row.was_active ? { active: false } : null };
    });
  }

  /**
   * Every ADMIN change to a coupon goes through here, in one transaction, and is recorded
   * here, inside it, once written: the audit log's entry (`action`, the caller as actor,
   * the coupon as target) belongs beside the log line, so it commits with the change or
   * not at all.
   */
  private async change(ctx: CouponContext, action: CouponAction, write: (tx: EntityManager) => Promise<CouponChange>): Promise<Coupon> {
    const actorId = requireAdmin(ctx).userId;
    const terms = await ctx.em.transactional(async (tx) => {
      const { coupon, before, after } = await write(tx);
      if (after) await recordAudit(tx, 'orders', { actorId, action, targetType: 'Coupon', targetId: coupon.id, before, after });
      this.logger.info('coupon changed', { action, code: coupon.code, actorId });
      return coupon;
    });
    return couponView(terms, this.currency);
  }
}
