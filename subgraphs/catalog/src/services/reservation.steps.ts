import { envelopesOf, inboxInsert, outboxInsert, sql, stepOutcome, type OneStatementStep, type StepRow } from '@storegraph/common';
import { linesJson, recordMovements, sumLines, uuidArray } from './stock.ledger';

/**
 * The happy path of catalog's part of the saga, each event as ONE statement (see
 * OneStatementStep): hold an order's stock, sell it on capture. Each applies only in the
 * case it is written for; a rejection, a hold that already ended or a duplicate fall
 * through to ReservationService, which remains the full rule. Product rows are locked in
 * id order, as every writer of stock locks them.
 */
export const reservationSteps = {
  /**
   * Holds every line, when every product has the units available: checked under the
   * product locks, so nothing is written for an order that cannot be held in full
   * (ReservationService.reserve then records the rejection). A reservation row already
   * there (a cancel's tombstone) holds nothing, as in the full rule.
   */
  reserve:
    (ttlSeconds: number): OneStatementStep<'orders.order.placed'> =>
    async (ctx, event) => {
      const { orderId, userId } = event.data;
      const lines = sumLines(event.data.items);
      const [result] = await ctx.run<StepRow>(sql`
        with lines as (
          select x.product_id, x.quantity from jsonb_to_recordset(${linesJson(lines)}::jsonb) as x(product_id uuid, quantity int)),
        locked as (
          select id, on_hand, reserved from products where id = any(${uuidArray(lines.map((l) => l.productId))}::uuid[])
           order by id for update),
        enough as (
          select 1 from lines x left join locked p on p.id = x.product_id
          having bool_and(p.id is not null and p.on_hand - p.reserved >= x.quantity)),
        inbox as (${inboxInsert(ctx, event, sql`enough`)}),
        hold as (
          insert into reservations (order_id, user_id, status, expires_at)
          select ${orderId}::uuid, ${userId}::uuid, 'HELD', now() + make_interval(secs => ${ttlSeconds}) from inbox
          on conflict (order_id) do nothing returning expires_at),
        held as (
          update products p set reserved = p.reserved + x.quantity from lines x, hold where p.id = x.product_id returning p.id),
        recorded as (
          insert into reservation_items (order_id, product_id, quantity) select ${orderId}::uuid, x.product_id, x.quantity from lines x, hold),
        announced as (${outboxInsert(
          'catalog.stock.reserved',
          sql`hold`,
          sql`jsonb_build_object('orderId', ${orderId}::text,
                                 'expiresAt', to_char(hold.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`,
        )})
        select (select count(*) from inbox)::int as applied,
               ${envelopesOf(sql`announced`)} as events`);
      return stepOutcome(result);
    },

  /**
   * A live hold becomes a sale: the reservation first, then its products in id order, as
   * sell() does, with the SALE movements written by the same insert sell() uses.
   */
  sell: (async (ctx, event) => {
    const { orderId, paymentId } = event.data;
    const [result] = await ctx.run<StepRow>(sql`
      with target as (select order_id from reservations where order_id = ${orderId}::uuid and status = 'HELD' for update),
      inbox as (${inboxInsert(ctx, event, sql`target`)}),
      sold as (
        update reservations r set status = 'SOLD', payment_id = ${paymentId}::uuid, updated_at = now()
          from inbox where r.order_id = ${orderId}::uuid returning r.order_id),
      lines as (
        select ri.product_id, ri.quantity from reservation_items ri join products p on p.id = ri.product_id
         where ri.order_id = ${orderId}::uuid and exists (select 1 from sold) order by p.id for update of p),
      moved as (
        update products p set on_hand = p.on_hand - l.quantity, reserved = p.reserved - l.quantity
          from lines l where p.id = l.product_id returning p.id as product_id, -l.quantity as delta, p.on_hand),
      recorded as (${recordMovements(sql`moved`, { reason: 'SALE', orderId })}),
      announced as (${outboxInsert(
        'catalog.stock.sold',
        sql`sold`,
        sql`jsonb_build_object('orderId', ${orderId}::text, 'paymentId', ${paymentId}::text)`,
      )})
      select (select count(*) from sold)::int as applied,
             ${envelopesOf(sql`announced`)} as events`);
    return stepOutcome(result);
  }) satisfies OneStatementStep<'payments.payment.captured'>,
};
