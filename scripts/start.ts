import { join, resolve } from 'node:path';
import { dependencies, EnvReader, readDatabaseUrl, readInfra, unreachable } from '@storegraph/common';
import { Child, waitUntilReady } from './children';
import { readSupergraphConfig } from './supergraph';

const READY_TIMEOUT_MS = 90_000;

async function checkInfrastructure(): Promise<string[]> {
  const env = new EnvReader(process.env);
  const infra = readInfra(env);
  return unreachable(dependencies({ postgres: readDatabaseUrl(env, 'postgres'), redis: infra.redisUrl, nats: infra.natsUrl }));
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
    // On a terminal the services print readable coloured lines (pino-pretty) behind their
    // prefix; piped elsewhere they keep their JSON lines. LOG_FORMAT set by hand wins.
    const logFormat = process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
    const child = new Child(name, join(rootDir, script), {
      cwd: rootDir,
      env: { ...process.env, LOG_FORMAT: logFormat, ...env },
      colorIndex: children.length,
    });
    children.push(child);
    watch(child);
    return child;
  };

  try {
    const subgraphs = readSupergraphConfig(rootDir).subgraphs.map((subgraph) => {
      // Listen where supergraph.yaml routes the gateway, unless <NAME>_PORT moves it (the
      // benches run a stack of their own beside `npm start`; they move <NAME>_URL with it).
      const setting = `${subgraph.name.toUpperCase()}_PORT`;
      const routed = new URL(subgraph.routingUrl);
      routed.port = process.env[setting] ?? routed.port;
      const child = startChild(subgraph.name, `subgraphs/${subgraph.name}/dist/main.js`, { [setting]: routed.port });
      return waitUntilReady(child, readyUrl(routed.toString()), READY_TIMEOUT_MS);
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
