import { spawn, type ChildProcess } from 'node:child_process';
import { freeTcpPort, waitForPort } from './ports';

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/**
 * A Redis server of this test's own on a free port, without persistence (as the stack's
 * Redis runs), so a test can stop and restart it, losing every key, without touching the
 * machine's shared one. Stopped by PID with SIGTERM.
 */
export class OwnRedisServer {
  private process: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freeTcpPort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(BINARY, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.process = child;
    await waitForPort(this.port, true, 'redis-server');
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = null;
    await waitForPort(this.port, false, 'redis-server');
  }
}
