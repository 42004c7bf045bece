import { Pool } from 'pg';
import type { SagaService, SagaSql } from '../../support/saga-invariants';

/**
 * Runs one statement on a service's database over a small pool of the suite's own.
 * `?` placeholders become `$n`; an array is bound whole, as `= any(?)` needs.
 */
export function poolSql(urlOf: (service: SagaService) => string): { sql: SagaSql; end: () => Promise<void> } {
  const pools = new Map<SagaService, Pool>();
  const sql: SagaSql = async <T>(service: SagaService, text: string, params: unknown[] = []) => {
    let pool = pools.get(service);
    if (!pool) {
      pool = new Pool({ connectionString: urlOf(service), max: 2, connectionTimeoutMillis: 5000, query_timeout: 10_000 });
      // An idle connection dies with every PostgreSQL fault; the pool replaces it.
      pool.on('error', () => undefined);
      pools.set(service, pool);
    }
    let n = 0;
    const { rows } = await pool.query(text.replace(/\?/g, () => `$${(n += 1)}`), params);
    return rows as T[];
  };
  const end = async () => {
    await Promise.all([...pools.values()].map((pool) => pool.end().catch(() => undefined)));
  };
  return { sql, end };
}
