import { EnvReader, readSubgraphConfig, type SubgraphConfig } from '@storegraph/common';

/** Nothing beyond the shared settings yet; the saga issue adds the provider's. */
export type PaymentsConfig = SubgraphConfig;

export function readConfig(env = new EnvReader()): PaymentsConfig {
  const config: PaymentsConfig = readSubgraphConfig(env, 'payments', 4004);
  env.done();
  return config;
}
