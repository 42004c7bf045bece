import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = process.env.NATS_SERVER_BIN ?? 'nats-server';

/**
 * A NATS server of this test's own (JetStream, file storage in a temp folder), so a test
 * can stop and restart the broker without touching the machine's shared one.
 */
export class OwnNatsServer {
  private process: ChildProcess | null = null;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'storegraph-nats-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(BINARY, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], {
      stdio: 'ignore',
    });
    this.process = child;
    await waitForPort(this.port, true);
  }

  /** The running server's process id (undefined when stopped). */
  get pid(): number | undefined {
    return this.process?.exitCode === null ? this.process.pid : undefined;
  }

  /** A clean shutdown (SIGTERM). */
  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  /** A crash (SIGKILL): nothing flushed, nothing said to the clients. start() again reuses the store. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  /** Deletes the store folder (after stop or kill). */
  remove(): void {
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    this.process = null;
    await waitForPort(this.port, false);
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, open: boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await portOpen(port)) !== open) {
    if (Date.now() > deadline) throw new Error(`nats-server port ${port} did not become ${open ? 'open' : 'closed'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port nothing listens on right now: the kernel picks it for a moment, then it is released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
