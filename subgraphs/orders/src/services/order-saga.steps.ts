import {
  envelopesOf,
  inboxInsert,
  outboxInsert,
  sql,
  stepOutcome,
  type EventEnvelope,
  type OneStatementStep,
  type StepContext,
  type StepRow,
  type Subject,
} from '@storegraph/common';
import { OrderStatus } from '../entities';
import { canTransition } from './order-state-machine';

const { PENDING, RESERVED, CONFIRMED } = OrderStatus;

/**
 * The happy path of orders' part of the saga, each event as ONE statement (see
 * OneStatementStep): stock reserved, payment captured, stock sold. Each applies only in
 * the case it is written for, checked under the order's row lock; anything else (a
 * duplicate, a stale event, a refund to settle) falls through to OrderSagaService, which
 * remains the full rule. The moves are checked against ORDER_TRANSITIONS when this
 * module loads, so a step can never allow what the state machine forbids.
 */
export const orderSagaSteps = {
  stockReserved: moveStep<'catalog.stock.reserved'>(PENDING, RESERVED, {
    announce: 'orders.order.reserved',
    data: sql`jsonb_build_object('orderId', moved.id, 'userId', moved.user_id, 'amountMinor', moved.total_minor,
                                 'currency', moved.currency, 'paymentToken', moved.payment_token)`,
  }),

  /** The sale that confirms the order; it also records the payment, as the full rule does. */
  stockSold: moveStep<'catalog.stock.sold'>(RESERVED, CONFIRMED, {
    announce: 'orders.order.confirmed',
    data: sql`jsonb_build_object('orderId', moved.id)`,
    paymentId: (event) => event.data.paymentId,
  }),

  /** Only records the payment on an order that is not over (an ended one may need a refund). */
  paymentCaptured: (async (ctx, event) => {
    const { orderId, paymentId } = event.data;
    const [result] = await ctx.run<{ applied: number }>(sql`
      with target as (
        select id from orders
         where id = ${orderId}::uuid and payment_id is null and status = any(${[PENDING, RESERVED, CONFIRMED]}::text[])
         for update),
      inbox as (${inboxInsert(ctx, event, sql`target`)}),
      recorded as (update orders o set payment_id = ${paymentId}::uuid from inbox where o.id = ${orderId}::uuid returning o.id)
      select (select count(*) from recorded)::int as applied`);
    return result.applied === 1 ? [] : null;
  }) satisfies OneStatementStep<'payments.payment.captured'>,
};

/**
 * from -> to for the order the event names, with the history entry and the announcing
 * event, when the order is still `from` (and, with paymentId, has no other payment).
 */
function moveStep<S extends Subject>(
  from: OrderStatus,
  to: OrderStatus,
  options: { announce: Subject; data: ReturnType<typeof sql>; paymentId?: (event: EventEnvelope<S>) => string },
): OneStatementStep<S> {
  if (!canTransition(from, to)) throw new Error(`A step may not move an order from ${from} to ${to}`);
  return async (ctx: StepContext, event: EventEnvelope<S>) => {
    const { orderId } = event.data as { orderId: string };
    const paymentId = options.paymentId?.(event) ?? null;
    const entry = JSON.stringify([{ status: to, at: new Date().toISOString() }]);
    const [result] = await ctx.run<StepRow>(sql`
      with target as (
        select id from orders
         where id = ${orderId}::uuid and status = ${from}
           and (${paymentId}::uuid is null or payment_id is null or payment_id = ${paymentId}::uuid)
         for update),
      inbox as (${inboxInsert(ctx, event, sql`target`)}),
      moved as (
        update orders o
           set status = ${to}, failure_reason = null, status_history = o.status_history || ${entry}::jsonb,
               payment_id = coalesce(o.payment_id, ${paymentId}::uuid)
          from inbox where o.id = ${orderId}::uuid
        returning o.id, o.user_id, o.total_minor, o.currency, o.payment_token),
      announced as (${outboxInsert(options.announce, sql`moved`, options.data)})
      select (select count(*) from moved)::int as applied,
             ${envelopesOf(sql`announced`)} as events`);
    return stepOutcome(result);
  };
}
