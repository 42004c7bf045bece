import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testRedisPrefix } from '@storegraph/common/testing';
import { createLogger, createRedis, markRevocationListWhole } from '@storegraph/common';
import { createApp, readConfig, type GatewayApp } from '../../src/app';
import { composeEchoSupergraph, startEchoSubgraph, type EchoSubgraph } from './echo-subgraph';
import { testKeys } from './tokens';

export interface Stack {
  gatewayUrl: string;
  gateway: GatewayApp;
  echo: EchoSubgraph;
  stop(): Promise<void>;
}

/**
 * A gateway over a freshly composed one-subgraph supergraph. The supergraph's routing URL
 * is a placeholder, replaced through the gateway's overrides, as a deploy would do with
 * USERS_URL and friends.
 */
export async function startStack(mode: 'development' | 'production', env: Record<string, string> = {}): Promise<Stack> {
  const keys = testKeys();
  const echo = await startEchoSubgraph(keys.gatewaySecret);
  const dir = mkdtempSync(join(tmpdir(), 'storegraph-gateway-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composeEchoSupergraph('http://echo.invalid:1/graphql'));
  const config = readConfig({
    ...process.env,
    APP_MODE: mode,
    SUPERGRAPH_PATH: supergraphPath,
    REDIS_PREFIX: testRedisPrefix,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    GATEWAY_SECRET: keys.gatewaySecret,
    ...env,
  });
  // users is not here to fill the revocation list and mark it complete: the test stands in for it.
  await markRevocationListComplete(config.redisUrl, config.redisPrefix);
  const gateway = await createApp(config, {
    subgraphUrls: { echo: echo.url },
    logger: createLogger('gateway', 'error'),
  });
  const gatewayUrl = (await gateway.listen(0)).replace('localhost', '127.0.0.1');
  return {
    gatewayUrl,
    gateway,
    echo,
    stop: async () => {
      await gateway.stop();
      await echo.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What users does once Redis holds every revocation in force (the gateway refuses tokens until then). */
export async function markRevocationListComplete(redisUrl: string, prefix: string): Promise<void> {
  const redis = createRedis(redisUrl, prefix);
  try {
    await markRevocationListWhole(redis);
  } finally {
    redis.disconnect();
  }
}
