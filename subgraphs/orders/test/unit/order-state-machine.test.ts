import { hasCode } from '@storegraph/common';
import { OrderFailureReason, OrderStatus } from '../../src/entities/order-status.enum';
import { canTransition, ORDER_TRANSITIONS, transition, type OrderState } from '../../src/services/order-state-machine';

const { PENDING, RESERVED, CONFIRMED, SHIPPED, DELIVERED, CANCELLED, FAILED } = OrderStatus;
const ALL = [PENDING, RESERVED, CONFIRMED, SHIPPED, DELIVERED, CANCELLED, FAILED];

// Written out independently of the table in the code, so a change there must be a change here.
const ALLOWED = new Set([
  `${PENDING}->${RESERVED}`,
  `${PENDING}->${FAILED}`,
  `${PENDING}->${CANCELLED}`,
  `${RESERVED}->${CONFIRMED}`,
  `${RESERVED}->${FAILED}`,
  `${RESERVED}->${CANCELLED}`,
  `${CONFIRMED}->${CANCELLED}`,
  `${CONFIRMED}->${SHIPPED}`,
  `${SHIPPED}->${DELIVERED}`,
]);

const pairs = ALL.flatMap((from) => ALL.map((to) => [from, to] as const));
const at = new Date('2030-01-02T03:04:05.000Z');

// Carrier and tracking number as whoever ships sets them before the move (they mean nothing before SHIPPED).
function orderIn(status: OrderStatus): OrderState {
  return {
    status,
    failureReason: null,
    statusHistory: [{ status: PENDING, at: '2030-01-01T00:00:00.000Z' }],
    carrier: 'DHL',
    trackingNumber: 'JD0001',
    shippedAt: null,
    deliveredAt: null,
  };
}

const reasonFor = (to: OrderStatus) => (to === FAILED ? OrderFailureReason.OUT_OF_STOCK : undefined);

describe('order state machine', () => {
  it.each(pairs.filter(([from, to]) => ALLOWED.has(`${from}->${to}`)))('allows %s -> %s', (from, to) => {
    const order = orderIn(from);
    const result = transition(order, to, reasonFor(to), at);
    expect(canTransition(from, to)).toBe(true);
    expect(result).toBe(order);
    expect(order.status).toBe(to);
    expect(order.failureReason).toBe(reasonFor(to) ?? null);
    expect(order.statusHistory).toEqual([
      { status: PENDING, at: '2030-01-01T00:00:00.000Z' },
      { status: to, at: at.toISOString() },
    ]);
    // The shipment's times are those of its history entries.
    expect([order.shippedAt, order.deliveredAt]).toEqual([to === SHIPPED ? at : null, to === DELIVERED ? at : null]);
  });

  it.each(pairs.filter(([from, to]) => !ALLOWED.has(`${from}->${to}`)))('refuses %s -> %s with CONFLICT', (from, to) => {
    const order = orderIn(from);
    let thrown: unknown;
    try {
      transition(order, to, reasonFor(to), at);
    } catch (err) {
      thrown = err;
    }
    expect(canTransition(from, to)).toBe(false);
    expect(hasCode(thrown, 'CONFLICT')).toBe(true);
    expect(order).toEqual(orderIn(from));
  });

  it('never moves a status backwards along the happy path', () => {
    const rank = [PENDING, RESERVED, CONFIRMED];
    for (const [from, to] of pairs) {
      if (rank.includes(from) && rank.includes(to) && rank.indexOf(to) <= rank.indexOf(from)) {
        expect(canTransition(from, to)).toBe(false);
      }
    }
  });

  it('moves every allowed transition strictly forward, and out of DELIVERED, FAILED and CANCELLED nowhere', () => {
    // Terminal statuses share the last rank: a step never returns to a rank it has left.
    const rank: Record<OrderStatus, number> = { PENDING: 0, RESERVED: 1, CONFIRMED: 2, SHIPPED: 3, DELIVERED: 4, FAILED: 4, CANCELLED: 4 };
    for (const from of ALL) {
      for (const to of ORDER_TRANSITIONS[from]) expect([from, to, rank[to] > rank[from]]).toEqual([from, to, true]);
    }
    expect([ORDER_TRANSITIONS[DELIVERED], ORDER_TRANSITIONS[FAILED], ORDER_TRANSITIONS[CANCELLED]]).toEqual([[], [], []]);
  });

  it('refuses to ship without a carrier and a tracking number (a caller bug: the input is checked before)', () => {
    expect(() => transition({ ...orderIn(CONFIRMED), carrier: null }, SHIPPED)).toThrow('carrier');
    expect(() => transition({ ...orderIn(CONFIRMED), trackingNumber: null }, SHIPPED)).toThrow('carrier');
  });

  it('demands a reason for FAILED and refuses one elsewhere (a caller bug, not user input)', () => {
    expect(() => transition(orderIn(PENDING), FAILED)).toThrow('failure reason');
    expect(() => transition(orderIn(PENDING), CANCELLED, OrderFailureReason.OUT_OF_STOCK)).toThrow('failure reason');
  });
});
