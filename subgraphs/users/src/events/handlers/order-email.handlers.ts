import type { EntityManager } from '@mikro-orm/postgresql';
import { inboxInsert, sql, stepOutcome, type EventEnvelope, type EventHandler, type OneStatementStep, type StepRow } from '@storegraph/common';
import { oweEmail, type OwedEmailRow } from '../../mail/email-outbox';

/*
 * Each event of order news only records the email it owes (email_outbox), with the
 * inbox mark: a redelivered event is a duplicate in the inbox and owes nothing more. The
 * sender (mail/order-email-sender.ts) sends it outside this path. The rule of which
 * email an event owes lives in `owedBy` alone; the handler (in a transaction) and the
 * one-statement step (the common case, one autocommit statement) both write what it says,
 * and subgraphs/users/test/integration/order-email-steps.test.ts holds the two to the
 * same rows.
 */

/**
 * News older than this owes no email. Users' consumer, made for the first time, reads
 * the streams' whole retained history (a week), so that no audit entry recorded before it
 * existed is lost; deployed on a running store, it must not mail that week's receipts.
 * An outage shorter than a day loses no email.
 */
export const ORDER_EMAIL_MAX_EVENT_AGE_MS = 24 * 60 * 60 * 1000;

type OrderNews = 'orders.order.confirmed' | 'orders.order.failed' | 'orders.order.cancelled' | 'orders.order.shipped';

const emailOf: { [S in OrderNews]: (event: EventEnvelope<S>) => OwedEmailRow } = {
  'orders.order.confirmed': ({ id, data }) => ({ id, kind: 'order_confirmed', orderId: data.orderId }),
  'orders.order.failed': ({ id, data }) => ({ id, kind: 'order_failed', orderId: data.orderId, details: { reason: data.reason } }),
  'orders.order.cancelled': ({ id, data }) => ({ id, kind: 'order_cancelled', orderId: data.orderId }),
  'orders.order.shipped': ({ id, data }) => ({
    id,
    kind: 'order_shipped',
    orderId: data.orderId,
    userId: data.userId,
    details: { carrier: data.carrier, trackingNumber: data.trackingNumber },
  }),
};

/** The email an event of order news owes, or null when it is too old to owe one. */
export function owedBy<S extends OrderNews>(event: EventEnvelope<S>): OwedEmailRow | null {
  if (Date.now() - Date.parse(event.occurredAt) > ORDER_EMAIL_MAX_EVENT_AGE_MS) return null;
  return emailOf[event.subject](event);
}

/** The full rule, in the consumer's transaction after its inbox mark. */
export function orderEmailHandler<S extends OrderNews>(): EventHandler<S> {
  return async (tx: EntityManager, event) => {
    const owed = owedBy(event);
    if (owed) await oweEmail(tx, owed);
  };
}

/**
 * The inbox mark and the email_outbox row as one statement. Only for an email owed and
 * an event seen the first time: anything else (a duplicate, news too old) falls through
 * to the handler, which decides as always.
 */
export function orderEmailStep<S extends OrderNews>(): OneStatementStep<S> {
  return async (ctx, event) => {
    const owed = owedBy(event);
    if (!owed) return null;
    const [result] = await ctx.run<StepRow>(sql`
      with inbox as (${inboxInsert(ctx, event, sql`(select 1) as owed`)}),
      written as (
        insert into email_outbox (id, kind, order_id, user_id, details)
        select ${owed.id}::uuid, ${owed.kind}, ${owed.orderId}::uuid, ${owed.userId ?? null}::uuid, ${JSON.stringify(owed.details ?? {})}::jsonb
          from inbox
        on conflict (id) do nothing)
      select (select count(*) from inbox)::int as applied, '[]'::jsonb as events`);
    return stepOutcome(result);
  };
}
