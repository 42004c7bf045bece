import { waitFor } from '@storegraph/common/testing';
import type { TestPaymentProvider } from '@storegraph/payments';
import type { Stack } from './stack';

type Status = 'PENDING' | 'RESERVED' | 'CONFIRMED' | 'CANCELLED' | 'FAILED';

/** The allowed moves, written out again here so the tests do not trust the code they check. */
const ALLOWED: Record<Status, Status[]> = {
  PENDING: ['RESERVED', 'FAILED', 'CANCELLED'],
  RESERVED: ['CONFIRMED', 'FAILED', 'CANCELLED'],
  CONFIRMED: ['CANCELLED'],
  CANCELLED: [],
  FAILED: [],
};
const SETTLED: Status[] = ['CONFIRMED', 'CANCELLED', 'FAILED'];

interface OrderRow {
  id: string;
  status: Status;
  total_minor: number;
  status_history: Array<{ status: Status }>;
}

async function sql<T>(stack: Stack, service: keyof Stack['subgraphs'], query: string, params: unknown[] = []): Promise<T[]> {
  return stack.subgraphs[service].database.orm.em.fork().execute<T[]>(query, params);
}

async function orderRows(stack: Stack, orderIds: string[]): Promise<OrderRow[]> {
  return sql<OrderRow>(stack, 'orders', 'select id, status, total_minor, status_history from orders where id in (?)', [orderIds]);
}

/** Waits until every order is CONFIRMED, CANCELLED or FAILED (the saga's bound), and returns them. */
export async function waitForSettled(stack: Stack, orderIds: string[], timeoutMs = 20_000): Promise<Map<string, Status>> {
  const rows = await waitFor(
    async () => {
      const found = await orderRows(stack, orderIds);
      return found.length === orderIds.length && found.every((o) => SETTLED.includes(o.status)) ? found : undefined;
    },
    { timeoutMs, what: `${orderIds.length} orders to settle` },
  );
  return new Map(rows.map((o) => [o.id, o.status]));
}

/** Waits until the outboxes and consumers have nothing left in flight for these orders. */
async function waitForQuiet(stack: Stack): Promise<void> {
  await waitFor(
    async () => {
      for (const service of ['orders', 'catalog', 'payments'] as const) {
        const [row] = await sql<{ n: string }>(stack, service, 'select count(*) as n from outbox where published_at is null');
        if (Number(row.n) > 0) return false;
      }
      return true;
    },
    { timeoutMs: 20_000, what: 'the outboxes to drain' },
  );
  // Let consumers apply what was just published (e.g. a refund after a late capture).
  await new Promise((r) => setTimeout(r, 300));
}

/** Waits until payments has no provider call outstanding for these orders (no capture PENDING, no refund unanswered). */
async function waitForPaymentsSettled(stack: Stack, orderIds: string[]): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await sql<{ n: string }>(
        stack,
        'payments',
        `select count(*) as n from payments where order_id in (?)
            and (status = 'PENDING' or status = 'CAPTURED' and refund_requested_at is not null)`,
        [orderIds],
      );
      return Number(row.n) === 0;
    },
    { timeoutMs: 20_000, what: 'every capture and refund to be answered' },
  );
}

export interface InvariantInput {
  /** Units on hand each product was created with (no setStock since). */
  stockAtStart: Map<string, number>;
  orderIds: string[];
}

/**
 * The saga's invariants over a scenario's products and orders:
 *  - per product: units on hand at start = available + reserved + sold, and nothing negative;
 *  - captured minus refunded = total of CONFIRMED orders;
 *  - every order settled, its history a chain of allowed moves starting at PENDING;
 *  - no effect twice: at most one payment per order, each status at most once in a history.
 */
export async function expectInvariants(stack: Stack, input: InvariantInput): Promise<void> {
  await waitForSettled(stack, input.orderIds);
  await waitForPaymentsSettled(stack, input.orderIds);
  await waitForQuiet(stack);

  const productIds = [...input.stockAtStart.keys()];
  const products = await sql<{ id: string; on_hand: number; reserved: number }>(
    stack,
    'catalog',
    'select id, on_hand, reserved from products where id in (?)',
    [productIds],
  );
  const sold = await sql<{ product_id: string; units: string }>(
    stack,
    'catalog',
    `select ri.product_id, sum(ri.quantity) as units from reservation_items ri
       join reservations r on r.order_id = ri.order_id
      where r.status = 'SOLD' and ri.product_id in (?) group by ri.product_id`,
    [productIds],
  );
  const soldBy = new Map(sold.map((s) => [s.product_id, Number(s.units)]));
  for (const product of products) {
    const available = product.on_hand - product.reserved;
    expect({ id: product.id, available: available >= 0, reserved: product.reserved >= 0 }).toEqual({
      id: product.id,
      available: true,
      reserved: true,
    });
    expect({ id: product.id, units: available + product.reserved + (soldBy.get(product.id) ?? 0) }).toEqual({
      id: product.id,
      units: input.stockAtStart.get(product.id),
    });
  }

  const orders = await orderRows(stack, input.orderIds);
  const confirmedTotal = orders.filter((o) => o.status === 'CONFIRMED').reduce((sum, o) => sum + o.total_minor, 0);
  const payments = await sql<{ order_id: string; status: string; amount_minor: number }>(
    stack,
    'payments',
    'select order_id, status, amount_minor from payments where order_id in (?)',
    [input.orderIds],
  );
  const captured = payments.filter((p) => p.status === 'CAPTURED').reduce((sum, p) => sum + p.amount_minor, 0);
  expect(captured).toBe(confirmedTotal);
  expect(new Set(payments.map((p) => p.order_id)).size).toBe(payments.length);

  for (const order of orders) {
    const statuses = order.status_history.map((h) => h.status);
    expect(statuses[0]).toBe('PENDING');
    expect(new Set(statuses).size).toBe(statuses.length);
    for (let i = 1; i < statuses.length; i += 1) {
      expect(`${statuses[i - 1]} -> ${statuses[i]}: ${ALLOWED[statuses[i - 1]].includes(statuses[i])}`).toBe(
        `${statuses[i - 1]} -> ${statuses[i]}: true`,
      );
    }
    expect(statuses[statuses.length - 1]).toBe(order.status);
  }
}

/**
 * The money as the provider's own records have it (its ledger, outside our database):
 * each order charged once, refunded once unless CONFIRMED (never otherwise), and
 * charged minus refunded equal to the total of the CONFIRMED orders.
 */
export async function expectMoneyAtProvider(stack: Stack, ledger: TestPaymentProvider, orderIds: string[]): Promise<void> {
  await waitForPaymentsSettled(stack, orderIds);
  const orders = await orderRows(stack, orderIds);
  let charged = 0;
  let refunded = 0;
  for (const order of orders) {
    const charges = ledger.charges.filter((c) => c.idempotencyKey === order.id && c.result.status === 'approved');
    const refunds = ledger.refunds.filter((r) => r.idempotencyKey === `refund:${order.id}`);
    expect({ order: order.id, status: order.status, charges: charges.length, refunds: refunds.length }).toEqual({
      order: order.id,
      status: order.status,
      charges: 1,
      refunds: order.status === 'CONFIRMED' ? 0 : 1,
    });
    charged += charges.reduce((sum, c) => sum + c.amountMinor, 0);
    refunded += refunds.reduce((sum, r) => sum + r.amountMinor, 0);
  }
  const confirmed = orders.filter((o) => o.status === 'CONFIRMED').reduce((sum, o) => sum + o.total_minor, 0);
  expect({ chargedMinusRefunded: charged - refunded }).toEqual({ chargedMinusRefunded: confirmed });
}
