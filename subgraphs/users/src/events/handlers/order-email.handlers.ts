import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventHandler } from '@storegraph/common';
import { oweEmail } from '../../mail/email-outbox';

/*
 * Each handler only records the email the event owes (email_outbox), in the transaction
 * that marks the event processed: a redelivered event is a duplicate in the inbox and
 * owes nothing more. The sender (mail/order-email-sender.ts) sends it outside this path.
 */

/**
 * News older than this owes no email. Users' consumer, made for the first time, reads
 * the streams' whole retained history (a week), so that no audit entry recorded before it
 * existed is lost; deployed on a running store, it must not mail that week's receipts.
 * An outage shorter than a day loses no email.
 */
export const ORDER_EMAIL_MAX_EVENT_AGE_MS = 24 * 60 * 60 * 1000;

type Owed = Parameters<typeof oweEmail>[1];

function oweIfFresh(tx: EntityManager, occurredAt: string, email: Owed): Promise<void> {
  if (Date.now() - Date.parse(occurredAt) > ORDER_EMAIL_MAX_EVENT_AGE_MS) return Promise.resolve();
  return oweEmail(tx, email);
}

export const orderConfirmedHandler: EventHandler<'orders.order.confirmed'> = (tx, { id, occurredAt, data }) =>
  oweIfFresh(tx, occurredAt, { id, kind: 'order_confirmed', orderId: data.orderId });

export const orderFailedHandler: EventHandler<'orders.order.failed'> = (tx, { id, occurredAt, data }) =>
  oweIfFresh(tx, occurredAt, { id, kind: 'order_failed', orderId: data.orderId, details: { reason: data.reason } });

export const orderCancelledHandler: EventHandler<'orders.order.cancelled'> = (tx, { id, occurredAt, data }) =>
  oweIfFresh(tx, occurredAt, { id, kind: 'order_cancelled', orderId: data.orderId });

export const orderShippedHandler: EventHandler<'orders.order.shipped'> = (tx, { id, occurredAt, data }) =>
  oweIfFresh(tx, occurredAt, {
    id,
    kind: 'order_shipped',
    orderId: data.orderId,
    userId: data.userId,
    details: { carrier: data.carrier, trackingNumber: data.trackingNumber },
  });
