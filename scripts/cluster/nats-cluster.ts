import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, type ProcessHooks } from '../managed-process';

export const NATS_NODES = 3;
const BINARY = process.env.NATS_SERVER_BIN ?? 'nats-server';

export interface NatsNodePorts {
  client: number;
  route: number;
  monitor: number;
}

/**
 * A JetStream cluster of three nats-servers on loopback: each its own store folder, all
 * routed to each other. A node counts as started once its `/healthz` answers, which
 * nats-server does only when JetStream is up and it is current with the cluster's
 * meta leader; a killed node started again on its folder catches up by itself.
 */
export class NatsCluster {
  readonly nodes: ManagedProcess[];

  constructor(
    dir: string,
    private readonly ports: NatsNodePorts[],
    hooks: ProcessHooks | undefined,
  ) {
    const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(',');
    this.nodes = ports.map((p, i) => {
      const storeDir = join(dir, `nats-${i + 1}`);
      mkdirSync(storeDir, { recursive: true });
      return new ManagedProcess(
        `nats-${i + 1}`,
        {
          command: BINARY,
          args: [
            ...['-a', '127.0.0.1', '-p', String(p.client), '-m', String(p.monitor), '-n', `storegraph-nats-${i + 1}`],
            ...['-js', '-sd', storeDir, '--cluster_name', 'storegraph', '--cluster', `nats://127.0.0.1:${p.route}`, '--routes', routes],
          ],
        },
        { cwd: dir, env: process.env, readyUrl: `http://127.0.0.1:${p.monitor}/healthz`, hooks },
      );
    });
  }

  /** NATS_URL for the services: every node, so a client starts from whichever answers. */
  get url(): string {
    return this.ports.map((p) => `nats://127.0.0.1:${p.client}`).join(',');
  }

  async start(): Promise<void> {
    // Together: a node is healthy only once the cluster has elected its meta leader.
    await Promise.all(this.nodes.map((node) => node.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }
}
