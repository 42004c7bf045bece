/**
 * `npm run start:cluster`: Storegraph scaled out on this machine's loopback (local-cluster.ts)
 * on the shared PostgreSQL (databases `storegraph_cluster_*`). Prints the client URL and
 * HAProxy's stats page; Ctrl-C stops every process it started, by its id.
 *   CLUSTER_PORT        where clients reach the gateways (default 4000)
 *   CLUSTER_STATS_PORT  HAProxy's stats page (default 8404)
 */
import { spawnSync } from 'node:child_process';
import { EnvReader, readDatabaseUrl, unreachable, dependencies } from '@storegraph/common';
import { LocalCluster } from './local-cluster';

const PROGRAMS = [
  { command: process.env.NATS_SERVER_BIN ?? 'nats-server', install: 'apt-get install nats-server' },
  { command: process.env.REDIS_SERVER_BIN ?? 'redis-server', install: 'apt-get install redis-server (its Sentinel mode is built in)' },
  { command: process.env.HAPROXY_BIN ?? 'haproxy', install: 'apt-get install haproxy' },
];

function missingPrograms(): string[] {
  return PROGRAMS.filter((p) => spawnSync(p.command, ['-v'], { stdio: 'ignore' }).error).map((p) => `${p.command} is not installed: ${p.install}`);
}

async function main(): Promise<void> {
  const env = new EnvReader(process.env);
  const postgresUrl = env.string('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432');
  const clientPort = env.int('CLUSTER_PORT', 4000, 1);
  const statsPort = env.int('CLUSTER_STATS_PORT', 8404, 1);
  env.done();
  const problems = [...missingPrograms(), ...(await unreachable(dependencies({ postgres: readDatabaseUrl(env, 'postgres') })))];
  if (problems.length > 0) {
    for (const line of problems) console.error(line);
    process.exit(1);
  }

  let cluster: LocalCluster | null = null;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the cluster ...');
    await cluster?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  try {
    cluster = await LocalCluster.start({
      postgresUrl,
      databasePrefix: 'storegraph_cluster',
      clientPort,
      statsPort,
      echo: true,
      env: { APP_MODE: 'development', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', KEYS_DIR: process.env.KEYS_DIR ?? '.keys' },
    });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
  for (const process_ of cluster.processes) {
    void process_.exited.then(() => {
      if (!stopping) console.error(`[${process_.name}] exited on its own; the rest go on (HAProxy routes around it)`);
    });
  }
  console.log(`\nStoregraph cluster ready: ${cluster.clientUrl} (HTTP and graphql-ws)`);
  console.log(`HAProxy stats: ${cluster.statsUrl}`);
  console.log(`NATS: ${cluster.nats.url}; Redis: ${cluster.redis.url}; Ctrl-C stops everything\n`);
}

void main();
