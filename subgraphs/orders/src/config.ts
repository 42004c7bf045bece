import { EnvReader, readRateRules, readSubgraphConfig, type RateRule, type SubgraphConfig } from '@storegraph/common';

/** The rate limits orders enforces, per user (see RATE_RULES in common for their settings). */
export const ORDERS_RATE_RULES = ['checkout', 'addToCart'] as const;
export type OrdersRateRules = Record<(typeof ORDERS_RATE_RULES)[number], RateRule>;

export interface OrdersConfig extends SubgraphConfig {
  /** The catalog subgraph: orders asks it for current prices, never trusting the client. */
  catalogUrl: string;
  rateLimits: OrdersRateRules;
}

export function readConfig(env = new EnvReader()): OrdersConfig {
  const config: OrdersConfig = {
    ...readSubgraphConfig(env, 'orders', 4003),
    catalogUrl: env.string('CATALOG_URL', 'http://localhost:4002/graphql'),
    rateLimits: readRateRules(env, ORDERS_RATE_RULES),
  };
  try {
    new URL(config.catalogUrl);
  } catch {
    env.problem(`CATALOG_URL must be an absolute URL (got "${config.catalogUrl}")`);
  }
  env.done();
  return config;
}
