import { registerEnumType } from 'type-graphql';

export enum OrderStatus {
  PENDING = 'PENDING',
  RESERVED = 'RESERVED',
  CONFIRMED = 'CONFIRMED',
  SHIPPED = 'SHIPPED',
  DELIVERED = 'DELIVERED',
  CANCELLED = 'CANCELLED',
  FAILED = 'FAILED',
}

export enum OrderFailureReason {
  OUT_OF_STOCK = 'OUT_OF_STOCK',
  PAYMENT_DECLINED = 'PAYMENT_DECLINED',
  RESERVATION_EXPIRED = 'RESERVATION_EXPIRED',
}

registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  valuesConfig: {
    PENDING: { description: 'Placed; stock not yet reserved.' },
    RESERVED: { description: 'Stock held for this order; payment in progress.' },
    CONFIRMED: { description: 'Paid. Stock is sold.' },
    SHIPPED: { description: 'Handed to the carrier. Can no longer be cancelled.' },
    DELIVERED: { description: 'Arrived.' },
    CANCELLED: { description: 'Cancelled by its owner or an ADMIN; held stock released, any captured payment refunded.' },
    FAILED: { description: 'Could not complete; see failureReason. Held stock released, any captured payment refunded.' },
  },
});

registerEnumType(OrderFailureReason, {
  name: 'OrderFailureReason',
  valuesConfig: {
    RESERVATION_EXPIRED: { description: 'Payment did not complete before the reservation expired.' },
  },
});
