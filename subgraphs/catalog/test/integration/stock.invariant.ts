import { expectStockBalanced, stockBooks } from '../../../../test/support/saga-invariants';
import type { Harness } from './catalog.harness';

/**
 * The books of one product balance (test/support/saga-invariants.ts): every unit it
 * started with is available, held by a live reservation, or sold, and the `reserved`
 * column equals what the HELD reservations hold.
 */
export async function expectStockInvariant(h: Harness, productId: string, startOnHand: number): Promise<void> {
  // knex binds the id list whole (a PostgreSQL array), as `= any(?)` needs.
  const knex = h.app.database.orm.em.getConnection().getKnex();
  const sql = async <T>(_service: string, text: string, params: unknown[] = []) =>
    ((await knex.raw(text, params as never[])) as { rows: T[] }).rows;
  const [books] = await stockBooks(sql, [productId]);
  expectStockBalanced(books, startOnHand);
}
