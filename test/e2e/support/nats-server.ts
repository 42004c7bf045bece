import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPort } from '@storegraph/common/testing';

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
    await waitForPort(this.port, true, 'nats-server');
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
    await waitForPort(this.port, false, 'nats-server');
  }
}
