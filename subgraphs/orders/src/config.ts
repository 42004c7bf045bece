import { EnvReader, readRateRules, readSubgraphConfig, type RateRule, type SubgraphConfig } from '@storegraph/common';

/** The rate limits orders enforces, per user (see RATE_RULES in common for their settings). */
export const ORDERS_RATE_RULES = ['checkout', 'addToCart'] as const;
export type OrdersRateRules = Record<(typeof ORDERS_RATE_RULES)[number], RateRule>;

export interface OrdersConfig extends SubgraphConfig {
  /** The catalog subgraph: orders asks it for current prices, never trusting the client. */
  catalogUrl: string;
  /** The users subgraph: orders asks it for the caller's addresses at checkout, as the caller. */
  usersUrl: string;
  /** How long checkout waits for users (then SERVICE_UNAVAILABLE). */
  usersTimeoutMs: number;
  rateLimits: OrdersRateRules;
}

export function readConfig(env = new EnvReader()): OrdersConfig {
  const config: OrdersConfig = {
    ...readSubgraphConfig(env, 'orders', 4003),
    catalogUrl: env.string('CATALOG_URL', 'http://localhost:4002/graphql'),
    usersUrl: env.string('USERS_URL', 'http://localhost:4001/graphql'),
    usersTimeoutMs: env.int('USERS_TIMEOUT_MS', 5000, 1),
    rateLimits: readRateRules(env, ORDERS_RATE_RULES),
  };
  for (const [name, url] of [['CATALOG_URL', config.catalogUrl], ['USERS_URL', config.usersUrl]]) {
    try {
      new URL(url);
    } catch {
      env.problem(`${name} must be an absolute URL (got "${url}")`);
    }
  }
  env.done();
  return config;
}
