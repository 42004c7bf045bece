import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * "The user has a paid order of the product", read from catalog's own saga state: a
 * reservation keeps its buyer (from `orders.order.placed`) and is SOLD exactly while the
 * order is paid and not cancelled. A capture sells it (ReservationService.sell and the
 * one-statement step reservationSteps.sell both set SOLD), a cancel turns a sale
 * CANCELLED, and a failed, expired or rejected order never was SOLD. This is the one place
 * that rule is written.
 */
export const PAID_ORDER_OF_PRODUCT_SQL = `
  exists (select 1 from reservations r join reservation_items ri on ri.order_id = r.order_id
           where r.user_id = ? and r.status = 'SOLD' and ri.product_id = ?)`;

export async function hasPaidOrderOf(em: EntityManager, userId: string, productId: string): Promise<boolean> {
  const [row] = await em.execute<Array<{ paid: boolean }>>(`select ${PAID_ORDER_OF_PRODUCT_SQL} as paid`, [userId, productId]);
  return row.paid;
}
