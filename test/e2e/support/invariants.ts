import type { TestPaymentProvider } from '@storegraph/payments';
import {
  expectSagaInvariants,
  orderRows,
  PAID,
  waitForPaymentsSettled,
  waitForSettled as waitForSettledRows,
  type InvariantInput,
  type SagaSql,
  type Status,
} from '../../support/saga-invariants';
import type { Stack } from './stack';

export type { InvariantInput };

/** The in-process stack's databases, reached through each subgraph's own ORM. */
function stackSql(stack: Stack): SagaSql {
  return async <T>(service: keyof Stack['subgraphs'], text: string, params: unknown[] = []) => {
    // knex binds an array whole (a PostgreSQL array), as `= any(?)` needs.
    const result = await stack.subgraphs[service].database.orm.em.getConnection().getKnex().raw(text, params as never[]);
    return (result as { rows: T[] }).rows;
  };
}

/** Waits until every order is settled (CONFIRMED or later, CANCELLED or FAILED: the saga's bound), and returns them. */
export function waitForSettled(stack: Stack, orderIds: string[], timeoutMs = 20_000): Promise<Map<string, Status>> {
  return waitForSettledRows(stackSql(stack), orderIds, timeoutMs);
}

/** The saga's invariants (test/support/saga-invariants.ts) over a scenario's products and orders. */
export function expectInvariants(stack: Stack, input: InvariantInput): Promise<void> {
  return expectSagaInvariants(stackSql(stack), input);
}

/**
 * The money as the provider's own records have it (its ledger, outside our database):
 * each order charged once, refunded once unless paid (CONFIRMED, SHIPPED, DELIVERED: never
 * refunded), and charged minus refunded equal to the total of the paid orders.
 */
export async function expectMoneyAtProvider(stack: Stack, ledger: TestPaymentProvider, orderIds: string[]): Promise<void> {
  const sql = stackSql(stack);
  await waitForPaymentsSettled(sql, orderIds);
  const orders = await orderRows(sql, orderIds);
  let charged = 0;
  let refunded = 0;
  for (const order of orders) {
    const charges = ledger.charges.filter((c) => c.idempotencyKey === order.id && c.result.status === 'approved');
    const refunds = ledger.refunds.filter((r) => r.idempotencyKey === `refund:${order.id}`);
    expect({ order: order.id, status: order.status, charges: charges.length, refunds: refunds.length }).toEqual({
      order: order.id,
      status: order.status,
      charges: 1,
      refunds: PAID.includes(order.status) ? 0 : 1,
    });
    charged += charges.reduce((sum, c) => sum + c.amountMinor, 0);
    refunded += refunds.reduce((sum, r) => sum + r.amountMinor, 0);
  }
  const paid = orders.filter((o) => PAID.includes(o.status)).reduce((sum, o) => sum + o.total_minor, 0);
  expect({ chargedMinusRefunded: charged - refunded }).toEqual({ chargedMinusRefunded: paid });
}
