import { randomBytes } from 'node:crypto';
import { EnvReader } from '../config';
import { readSubgraphConfig, type SubgraphConfig } from '../service';

/**
 * Tests use their own databases (`storegraph_test_<service>`), a Redis key prefix of
 * their own, and port 0, so they never touch a developer's running stack.
 * `TEST_DATABASE_PREFIX` renames them, so two checkouts can run their suites at once on
 * one PostgreSQL without their relays publishing each other's outbox rows.
 */
export function testSubgraphConfig(service: string, overrides: Record<string, string> = {}): SubgraphConfig {
  const env = new EnvReader({
    ...process.env,
    APP_MODE: 'development',
    [`${service.toUpperCase()}_DATABASE_URL`]: testDatabaseUrl(service),
    REDIS_PREFIX: testRedisPrefix,
    NATS_NAMESPACE: testNatsNamespace,
    ...overrides,
  });
  const config = { ...readSubgraphConfig(env, service, 0), port: 0 };
  env.done();
  return config;
}

export function testDatabaseUrl(service: string): string {
  const base = (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
  const prefix = process.env.TEST_DATABASE_PREFIX || 'storegraph_test';
  return `${base}/${prefix}_${service}`;
}

/** A Redis key prefix unique to this test process. */
export const testRedisPrefix = `test:${process.pid}:${randomBytes(3).toString('hex')}:`;

/** A NATS namespace unique to this test process (jest module registry): its own streams. */
export const testNatsNamespace = `t${process.pid}${randomBytes(3).toString('hex')}`;

/** A string unique within this test run, for emails and SKUs. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
