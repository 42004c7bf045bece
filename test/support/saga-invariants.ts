import { waitFor } from '@storegraph/common/testing';

/**
 * The saga's invariants, checked on the databases themselves. Shared by the in-process
 * end-to-end tests, catalog's integration tests and the fault suite (whose services run
 * as separate processes), so each reaches the rows its own way: a `SagaSql` runs one
 * statement (`?` placeholders, an array bound whole as a PostgreSQL array) on a service's
 * database.
 */
export type SagaService = 'orders' | 'catalog' | 'payments';
export type SagaSql = <T>(service: SagaService, text: string, params?: unknown[]) => Promise<T[]>;

export type Status = 'PENDING' | 'RESERVED' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'FAILED';

/** The allowed moves, written out again here so the tests do not trust the code they check. */
const ALLOWED: Record<Status, Status[]> = {
  PENDING: ['RESERVED', 'FAILED', 'CANCELLED'],
  RESERVED: ['CONFIRMED', 'FAILED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
  FAILED: [],
};
/** Where the saga leaves an order; fulfilment (SHIPPED, DELIVERED) only moves paid ones on. */
export const SETTLED: readonly Status[] = ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'FAILED'];
/** The orders whose money the store keeps: captured minus refunded is their total. */
export const PAID: readonly Status[] = ['CONFIRMED', 'SHIPPED', 'DELIVERED'];

export interface OrderRow {
  id: string;
  status: Status;
  failure_reason: string | null;
  total_minor: number;
  status_history: Array<{ status: Status }>;
}

export function orderRows(sql: SagaSql, orderIds: string[]): Promise<OrderRow[]> {
  return sql<OrderRow>(
    'orders',
    'select id, status, failure_reason, total_minor, status_history from orders where id = any(?)',
    [orderIds],
  );
}

/** Waits until every order is settled (CONFIRMED or later, CANCELLED or FAILED: the saga's bound), and returns them. */
export async function waitForSettled(sql: SagaSql, orderIds: string[], timeoutMs = 20_000): Promise<Map<string, Status>> {
  const rows = await waitFor(
    async () => {
      const found = await orderRows(sql, orderIds);
      return found.length === orderIds.length && found.every((o) => SETTLED.includes(o.status)) ? found : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `${orderIds.length} orders to settle` },
  );
  return new Map(rows.map((o) => [o.id, o.status]));
}

/** Waits until the outboxes have nothing left to publish, then lets consumers apply the last of it. */
export async function waitForQuiet(sql: SagaSql, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      for (const service of ['orders', 'catalog', 'payments'] as const) {
        const [row] = await sql<{ n: string }>(service, 'select count(*) as n from outbox where published_at is null');
        if (Number(row.n) > 0) return false;
      }
      return true;
    },
    { timeoutMs, intervalMs: 100, what: 'the outboxes to drain' },
  );
  // Let consumers apply what was just published (e.g. a refund after a late capture).
  await new Promise((r) => setTimeout(r, 300));
}

/** One product's books: its columns and what its reservations hold and sold. */
export interface StockBooks {
  id: string;
  on_hand: number;
  reserved: number;
  held: number;
  sold: number;
}

export function stockBooks(sql: SagaSql, productIds: string[]): Promise<StockBooks[]> {
  return sql<StockBooks>(
    'catalog',
    `select p.id, p.on_hand, p.reserved,
            coalesce(sum(i.quantity) filter (where r.status = 'HELD'), 0)::int as held,
            coalesce(sum(i.quantity) filter (where r.status = 'SOLD'), 0)::int as sold
       from products p
       left join reservation_items i on i.product_id = p.id
       left join reservations r on r.order_id = i.order_id
      where p.id = any(?)
      group by p.id`,
    [productIds],
  );
}

/**
 * The books of one product balance: every unit it started with is available, held by a
 * live reservation, or sold, nothing is negative, and the `reserved` column equals what
 * the HELD reservations hold. Restocked (cancelled after sale) units count as on hand again.
 */
export function expectStockBalanced(books: StockBooks, startOnHand: number | undefined): void {
  const available = books.on_hand - books.reserved;
  expect({ id: books.id, available: available >= 0, reserved: books.reserved, total: available + books.reserved + books.sold }).toEqual({
    id: books.id,
    available: true,
    reserved: books.held,
    total: startOnHand,
  });
}

/**
 * The inventory history agrees with the books: a product's movements sum to its units on
 * hand, and its SALE movements net of RETURNs are exactly the units its SOLD reservations hold.
 */
export async function expectStockHistoryBalanced(sql: SagaSql, books: StockBooks[]): Promise<void> {
  const history = await sql<{ product_id: string; total: number; sold: number }>(
    'catalog',
    `select product_id, sum(delta)::int as total,
            (-coalesce(sum(delta) filter (where reason in ('SALE', 'RETURN')), 0))::int as sold
       from stock_movements where product_id = any(?) group by product_id`,
    [books.map((b) => b.id)],
  );
  const byProduct = new Map(history.map((row) => [row.product_id, row]));
  for (const b of books) {
    const row = byProduct.get(b.id);
    expect({ id: b.id, onHand: row?.total ?? 0, sold: row?.sold ?? 0 }).toEqual({ id: b.id, onHand: b.on_hand, sold: b.sold });
  }
}

/** What catalog and payments must hold for an order once it settled (and the saga went quiet). */
const SETTLED_ELSEWHERE: Record<'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'FAILED', { reservation: (string | null)[]; payment: (string | null)[] }> = {
  CONFIRMED: { reservation: ['SOLD'], payment: ['CAPTURED'] },
  // Shipping and delivery change nothing in catalog or payments: still sold and paid.
  SHIPPED: { reservation: ['SOLD'], payment: ['CAPTURED'] },
  DELIVERED: { reservation: ['SOLD'], payment: ['CAPTURED'] },
  // Catalog records a cancel even before it saw the order (a tombstone), unless it had
  // already refused the stock (REJECTED) when the cancel came; payments may never have seen it.
  CANCELLED: { reservation: ['CANCELLED', 'REJECTED'], payment: ['REFUNDED', 'FAILED', null] },
  FAILED: { reservation: ['RELEASED', 'REJECTED'], payment: ['REFUNDED', 'FAILED', null] },
};

/**
 * Each settled order agrees with the other services: a paid (CONFIRMED, SHIPPED, DELIVERED) order sold its units and
 * holds a capture; a CANCELLED or FAILED one holds no units (nothing left HELD until the
 * reservation expires) and no money (nothing CAPTURED, nothing PENDING). A step lost on
 * the way (an event dead-lettered) shows here even when every sum still balances. A
 * capture a crash left PENDING is finished by the recovery sweep, so this waits a while.
 */
export async function expectServicesAgree(sql: SagaSql, orders: OrderRow[], timeoutMs = 20_000): Promise<void> {
  const disagreements = async () => {
    const ids = orders.map((o) => o.id);
    const reservations = new Map(
      (await sql<{ order_id: string; status: string }>('catalog', 'select order_id, status from reservations where order_id = any(?)', [ids])).map(
        (r) => [r.order_id, r.status],
      ),
    );
    const payments = new Map(
      (await sql<{ order_id: string; status: string }>('payments', 'select order_id, status from payments where order_id = any(?)', [ids])).map(
        (p) => [p.order_id, p.status],
      ),
    );
    return orders
      .map((o) => ({ order: o.id, status: o.status, reservation: reservations.get(o.id) ?? null, payment: payments.get(o.id) ?? null }))
      .filter((o) => {
        const rule = SETTLED_ELSEWHERE[o.status as keyof typeof SETTLED_ELSEWHERE];
        return !rule || !rule.reservation.includes(o.reservation) || !rule.payment.includes(o.payment);
      });
  };
  const first = await disagreements();
  let found = first;
  const started = Date.now();
  while (found.length > 0 && Date.now() < started + timeoutMs) {
    await new Promise((r) => setTimeout(r, 250));
    found = await disagreements();
  }
  if (first.length > 0 && found.length === 0) {
    // Settled in the end (a recovery sweep, a late refund): worth knowing how long it took.
    process.stdout.write(
      `[invariants] ${first.length} settled orders agreed only after ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(first.slice(0, 5))}\n`,
    );
  }
  expect(found).toEqual([]);
}

/** Waits until payments has no provider call outstanding for these orders (no capture PENDING, no refund unanswered). */
export async function waitForPaymentsSettled(sql: SagaSql, orderIds: string[], timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await sql<{ n: string }>(
        'payments',
        `select count(*) as n from payments where order_id = any(?)
            and (status = 'PENDING' or status = 'CAPTURED' and refund_requested_at is not null)`,
        [orderIds],
      );
      return Number(row.n) === 0;
    },
    { timeoutMs, what: 'every capture and refund to be answered' },
  );
}

export interface InvariantInput {
  /** Units on hand each product was created with (no setStock since). */
  stockAtStart: Map<string, number>;
  orderIds: string[];
  /** How long the orders may take to settle, and catalog and payments to agree with them. */
  settleTimeoutMs?: number;
}

/**
 * The saga's invariants over a scenario's products and orders:
 *  - per product: units on hand at start = available + reserved + sold, and nothing negative;
 *  - captured minus refunded = total of the CONFIRMED, SHIPPED and DELIVERED orders;
 *  - every order settled, its history a chain of allowed moves starting at PENDING;
 *  - no effect twice: at most one payment per order, each status at most once in a
 *    history, and no outbox announcing the same thing about an order twice;
 *  - catalog and payments agree with each settled order (expectServicesAgree).
 */
export async function expectSagaInvariants(sql: SagaSql, input: InvariantInput): Promise<void> {
  await waitForSettled(sql, input.orderIds, input.settleTimeoutMs);
  await waitForPaymentsSettled(sql, input.orderIds);
  await waitForQuiet(sql);

  const allBooks = await stockBooks(sql, [...input.stockAtStart.keys()]);
  for (const books of allBooks) {
    expectStockBalanced(books, input.stockAtStart.get(books.id));
  }
  await expectStockHistoryBalanced(sql, allBooks);

  // Per order first (it waits for a recovery sweep or a late refund), then the sums.
  await expectServicesAgree(sql, await orderRows(sql, input.orderIds), input.settleTimeoutMs);
  const orders = await orderRows(sql, input.orderIds);
  const paidTotal = orders.filter((o) => PAID.includes(o.status)).reduce((sum, o) => sum + o.total_minor, 0);
  const payments = await sql<{ order_id: string; status: string; amount_minor: number }>(
    'payments',
    'select order_id, status, amount_minor from payments where order_id = any(?)',
    [input.orderIds],
  );
  // A REFUNDED payment was captured and refunded: it adds to neither side.
  const captured = payments.filter((p) => p.status === 'CAPTURED').reduce((sum, p) => sum + p.amount_minor, 0);
  expect(captured).toBe(paidTotal);
  expect(new Set(payments.map((p) => p.order_id)).size).toBe(payments.length);

  for (const service of ['orders', 'catalog', 'payments'] as const) {
    // Every saga subject is said at most once per order (placed, reserved, captured, refunded, ...).
    const repeated = await sql<{ subject: string; order_id: string; n: string }>(
      service,
      `select subject, envelope->'data'->>'orderId' as order_id, count(*) as n from outbox
        where envelope->'data'->>'orderId' = any(?::text[])
        group by 1, 2 having count(*) > 1`,
      [input.orderIds],
    );
    expect({ service, repeated }).toEqual({ service, repeated: [] });
  }

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
