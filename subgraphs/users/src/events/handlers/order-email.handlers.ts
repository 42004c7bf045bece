import type { EventHandler } from '@storegraph/common';
import { oweEmail } from '../../mail/email-outbox';

/*
 * Each handler only records the email the event owes (email_outbox), in the transaction
 * that marks the event processed: a redelivered event is a duplicate in the inbox and
 * owes nothing more. The sender (mail/order-email-sender.ts) sends it outside this path.
 */

export const orderConfirmedHandler: EventHandler<'orders.order.confirmed'> = (tx, { id, data }) =>
  oweEmail(tx, { id, kind: 'order_confirmed', orderId: data.orderId });

export const orderFailedHandler: EventHandler<'orders.order.failed'> = (tx, { id, data }) =>
  oweEmail(tx, { id, kind: 'order_failed', orderId: data.orderId, details: { reason: data.reason } });

export const orderCancelledHandler: EventHandler<'orders.order.cancelled'> = (tx, { id, data }) =>
  oweEmail(tx, { id, kind: 'order_cancelled', orderId: data.orderId });

export const orderShippedHandler: EventHandler<'orders.order.shipped'> = (tx, { id, data }) =>
  oweEmail(tx, {
    id,
    kind: 'order_shipped',
    orderId: data.orderId,
    userId: data.userId,
    details: { carrier: data.carrier, trackingNumber: data.trackingNumber },
  });
