import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, type ProcessHooks } from '../managed-process';

const BINARY = process.env.HAPROXY_BIN ?? 'haproxy';
/** A server is taken out after two failed checks a second apart, and back after two good ones. */
export const CHECK_INTERVAL_MS = 1000;

export interface Pool {
  name: string;
  /** Where HAProxy listens for this pool. */
  port: number;
  /** The replicas' ports on loopback. */
  servers: number[];
}

/**
 * The HAProxy configuration: one frontend and backend per pool (the gateways, and each
 * subgraph's replicas), round robin per request, a replica in service while its /ready
 * answers 200. A request whose connection is refused (a replica just killed) is sent to
 * another replica (retry-on conn-failure + redispatch): only requests a replica was
 * already working on fail with it. WebSockets (graphql-ws) pass through as tunnels.
 */
export function haproxyConfig(pools: Pool[], statsPort: number): string {
  const lines = [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    '  timeout http-keep-alive 10s',
    '  option redispatch',
    '  retries 3',
    '  retry-on conn-failure',
    `  default-server inter ${CHECK_INTERVAL_MS} fall 2 rise 2`,
    'listen stats',
    `  bind 127.0.0.1:${statsPort}`,
    '  stats enable',
    '  stats uri /',
    '  stats refresh 2s',
  ];
  for (const pool of pools) {
    lines.push(
      `frontend ${pool.name}`,
      `  bind 127.0.0.1:${pool.port}`,
      '  option forwardfor',
      `  default_backend ${pool.name}-replicas`,
      `backend ${pool.name}-replicas`,
      '  balance roundrobin',
      '  option httpchk GET /ready',
      '  http-check expect status 200',
      ...pool.servers.map((port, i) => `  server ${pool.name}-${i + 1} 127.0.0.1:${port} check`),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** HAProxy in the foreground (-db), so it is one process to stop by its id. */
export function haproxyProcess(dir: string, pools: Pool[], statsPort: number, hooks: ProcessHooks | undefined): ManagedProcess {
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(pools, statsPort));
  return new ManagedProcess('haproxy', { command: BINARY, args: ['-db', '-f', file] }, { cwd: dir, env: process.env, readyPort: statsPort, hooks });
}
