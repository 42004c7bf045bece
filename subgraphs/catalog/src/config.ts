import { EnvReader, readSubgraphConfig, type SubgraphConfig } from '@storegraph/common';

export interface CatalogConfig extends SubgraphConfig {
  /** How long stock stays held for an unpaid order before the saga releases it. */
  reservationTtlSeconds: number;
  /** How often the expiry sweeper looks for holds past their TTL. */
  reservationSweepIntervalMs: number;
}

export function readConfig(env = new EnvReader()): CatalogConfig {
  const config: CatalogConfig = {
    ...readSubgraphConfig(env, 'catalog', 4002),
    reservationTtlSeconds: env.int('RESERVATION_TTL_SECONDS', 900, 1),
    reservationSweepIntervalMs: env.int('RESERVATION_SWEEP_INTERVAL_MS', 1000, 10),
  };
  env.done();
  return config;
}
