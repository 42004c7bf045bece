import { amountToMinor, formatAmount } from '@storegraph/common';
import type { OwedEmail } from './email-outbox';
import type { OrderFacts } from './order-lookup';
import { renderEmail, type RenderedEmail } from './templates';

interface MoneyShape {
  amount: string;
  currency: string;
}

const shown = (m: MoneyShape): string => `${m.amount} ${m.currency}`;

/** The template section each failure reason turns on (the words are in order-failed.*). */
const REASON_SECTIONS: Record<string, string> = {
  OUT_OF_STOCK: 'outOfStock',
  PAYMENT_DECLINED: 'paymentDeclined',
  RESERVATION_EXPIRED: 'reservationExpired',
};

/** Payment states in which money was taken, so a cancellation gives it back. */
const CAPTURED = new Set(['CAPTURED', 'REFUNDED']);

/**
 * The email an owed row becomes, from the templates in templates/. `order` is what the
 * graph says of the order (null for shipped, whose event carries all it needs).
 */
export function renderOrderEmail(owed: OwedEmail, name: string, order: OrderFacts | null): RenderedEmail {
  const base = { name, orderId: owed.orderId };
  switch (owed.kind) {
    case 'order_confirmed': {
      const facts = required(order, owed);
      return renderEmail('order-confirmed', {
        ...base,
        items: facts.items.map((item) => ({
          product: item.productName ?? `Product ${item.productId}`,
          quantity: String(item.quantity),
          unitPrice: shown(item.unitPrice),
          // Exact, in minor units: a float would print 3 x 19.99 as 59.96999...
          lineTotal: shown({ amount: formatAmount(amountToMinor(item.unitPrice.amount) * item.quantity), currency: item.unitPrice.currency }),
        })),
        total: shown(facts.total),
      });
    }
    case 'order_failed': {
      const facts = required(order, owed);
      const section = REASON_SECTIONS[owed.details.reason];
      if (!section) throw new Error(`unknown failure reason ${owed.details.reason}`);
      const values = Object.fromEntries(Object.values(REASON_SECTIONS).map((s) => [s, s === section ? [{}] : []]));
      return renderEmail('order-failed', { ...base, ...values, total: shown(facts.total) });
    }
    case 'order_cancelled': {
      const facts = required(order, owed);
      const payment = facts.payment;
      const refund = payment && CAPTURED.has(payment.status) ? payment.amount : null;
      // A capture still under way when the order was cancelled is refunded if it succeeds.
      const inFlight = payment?.status === 'PENDING';
      return renderEmail('order-cancelled', {
        ...base,
        total: shown(facts.total),
        refund: refund ? [{ refundAmount: shown(refund) }] : [],
        paymentInFlight: inFlight ? [{}] : [],
        noRefund: refund || inFlight ? [] : [{}],
      });
    }
    case 'order_shipped':
      return renderEmail('order-shipped', { ...base, carrier: owed.details.carrier, trackingNumber: owed.details.trackingNumber });
  }
}

function required(order: OrderFacts | null, owed: OwedEmail): OrderFacts {
  if (!order) throw new Error(`order ${owed.orderId} not found for its ${owed.kind} email`);
  return order;
}
