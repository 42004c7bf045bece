import {
  expectSagaInvariants,
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

/** Waits until every order is CONFIRMED, CANCELLED or FAILED (the saga's bound), and returns them. */
export function waitForSettled(stack: Stack, orderIds: string[], timeoutMs = 20_000): Promise<Map<string, Status>> {
  return waitForSettledRows(stackSql(stack), orderIds, timeoutMs);
}

/** The saga's invariants (test/support/saga-invariants.ts) over a scenario's products and orders. */
export function expectInvariants(stack: Stack, input: InvariantInput): Promise<void> {
  return expectSagaInvariants(stackSql(stack), input);
}
