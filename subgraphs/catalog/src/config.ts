import { EnvReader, readSubgraphConfig, type SubgraphConfig } from '@storegraph/common';

export interface CatalogConfig extends SubgraphConfig {
  /** How long stock stays held for an unpaid order before the saga releases it. */
  reservationTtlSeconds: number;
}

export function readConfig(env = new EnvReader()): CatalogConfig {
  const config: CatalogConfig = {
    ...readSubgraphConfig(env, 'catalog', 4002),
    reservationTtlSeconds: env.int('RESERVATION_TTL_SECONDS', 900, 1),
  };
  env.done();
  return config;
}
