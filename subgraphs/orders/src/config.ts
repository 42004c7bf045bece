import { EnvReader, readSubgraphConfig, type SubgraphConfig } from '@storegraph/common';

export interface OrdersConfig extends SubgraphConfig {
  /** The catalog subgraph: orders asks it for current prices, never trusting the client. */
  catalogUrl: string;
}

export function readConfig(env = new EnvReader()): OrdersConfig {
  const config: OrdersConfig = {
    ...readSubgraphConfig(env, 'orders', 4003),
    catalogUrl: env.string('CATALOG_URL', 'http://localhost:4002/graphql'),
  };
  try {
    new URL(config.catalogUrl);
  } catch {
    env.problem(`CATALOG_URL must be an absolute URL (got "${config.catalogUrl}")`);
  }
  env.done();
  return config;
}
