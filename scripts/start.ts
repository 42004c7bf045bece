import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EnvReader, readDatabaseUrl, readInfra, unreachable } from '@storegraph/common';
import { Child, waitUntilReady } from './children';
import { readSupergraphConfig } from './supergraph';

const READY_TIMEOUT_MS = 90_000;

function postgresHint(): string {
  // Debian/Ubuntu keep one folder per installed major version.
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql').sort() : [];
  const local = versions.length > 0 ? `pg_ctlcluster ${versions[versions.length - 1]} main start` : 'sudo service postgresql start';
  return `${local} (or: docker compose up -d postgres)`;
}

async function checkInfrastructure(): Promise<string[]> {
  const env = new EnvReader(process.env);
  const infra = readInfra(env);
  return unreachable([
    { name: 'PostgreSQL', url: readDatabaseUrl(env, 'postgres'), hint: postgresHint() },
    { name: 'Redis', url: infra.redisUrl, hint: 'redis-server --daemonize yes (or: docker compose up -d redis)' },
    { name: 'NATS', url: infra.natsUrl, hint: 'nats-server -js (or: docker compose up -d nats)' },
  ]);
}

function readyUrl(graphqlUrl: string): string {
  return new URL('/ready', graphqlUrl).toString();
}

/**
 * `npm start`: checks the infrastructure, starts the subgraphs (each creates its database
 * and migrates), then the gateway once they are ready; stops everything together.
 */
async function main(): Promise<void> {
  const rootDir = resolve(__dirname, '../..');
  const down = await checkInfrastructure();
  if (down.length > 0) {
    for (const line of down) console.error(line);
    process.exit(1);
  }

  const children: Child[] = [];
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    // The gateway first, so no request reaches a subgraph that is already draining.
    const gateway = children.find((child) => child.name === 'gateway');
    await gateway?.stop();
    await Promise.all(children.map((child) => child.stop()));
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  const watch = (child: Child) => {
    void child.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.error(`[${child.name}] exited on its own (${signal ?? `code ${code}`}); stopping the rest`);
      void stopAll(1);
    });
  };
  const startChild = (name: string, script: string, env: NodeJS.ProcessEnv) => {
    const child = new Child(name, join(rootDir, script), { cwd: rootDir, env: { ...process.env, ...env }, colorIndex: children.length });
    children.push(child);
    watch(child);
    return child;
  };

  try {
    const subgraphs = readSupergraphConfig(rootDir).subgraphs.map((subgraph) => {
      // Listen where supergraph.yaml routes the gateway.
      const port = new URL(subgraph.routingUrl).port;
      const child = startChild(subgraph.name, `subgraphs/${subgraph.name}/dist/main.js`, { [`${subgraph.name.toUpperCase()}_PORT`]: port });
      return waitUntilReady(child, readyUrl(subgraph.routingUrl), READY_TIMEOUT_MS);
    });
    await Promise.all(subgraphs);
    const port = process.env.GATEWAY_PORT ?? '4000';
    const gateway = startChild('gateway', 'gateway/dist/main.js', {});
    await waitUntilReady(gateway, `http://localhost:${port}/ready`, READY_TIMEOUT_MS);
    console.log(`\nStoregraph gateway ready at http://localhost:${port}/graphql\n`);
  } catch (err) {
    if (stopping) return;
    console.error(err instanceof Error ? err.message : err);
    await stopAll(1);
  }
}

void main();
