import { portOpen } from '@storegraph/common/testing';
import { Child, type ChildEntry, waitUntilReady } from './children';

const READY_TIMEOUT_MS = 90_000;
const TAIL_LINES = 40;

/** Told of every process id a ManagedProcess starts and sees end (the fault suite's watchdog). */
export interface ProcessHooks {
  started?: (pid: number) => void;
  ended?: (pid: number) => void;
}

export interface ManagedProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Ready once this URL answers 200 (a service's /ready) ... */
  readyUrl?: string;
  /** ... or once something listens on this loopback port (a server without such a page). */
  readyPort?: number;
  /** Print each output line behind `[name]` (else only kept for tail()). */
  echo?: boolean;
  colorIndex?: number;
  hooks?: ProcessHooks;
}

/**
 * One process that can be started, crashed (SIGKILL) and started again with the same
 * settings: a service of ours or a server (nats-server, redis-server, haproxy). Its last
 * output lines are kept for a failure report; lines are counted (at LOG_LEVEL=warn: the
 * warnings and errors).
 */
export class ManagedProcess {
  private child: Child | null = null;
  private readonly lines: string[] = [];
  private logged = 0;

  constructor(
    readonly name: string,
    private readonly entry: ChildEntry,
    private readonly options: ManagedProcessOptions,
  ) {}

  get pid(): number | undefined {
    return this.child?.running ? this.child.pid : undefined;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  get loggedLines(): number {
    return this.logged;
  }

  /** Resolves when the process ends, by itself or not (immediately when it is not running). */
  get exited(): Promise<unknown> {
    return this.child?.exited ?? Promise.resolve();
  }

  async start(): Promise<void> {
    const child = new Child(this.name, this.entry, {
      cwd: this.options.cwd,
      env: this.options.env,
      colorIndex: this.options.colorIndex ?? 0,
      onLine: (line) => {
        this.logged += 1;
        this.lines.push(line);
        if (this.lines.length > TAIL_LINES) this.lines.shift();
        if (this.options.echo) process.stdout.write(`[${this.name}] ${line}\n`);
      },
    });
    this.child = child;
    const { pid } = child;
    if (pid) this.options.hooks?.started?.(pid);
    void child.exited.then(() => pid && this.options.hooks?.ended?.(pid));
    if (this.options.readyUrl) await waitUntilReady(child, this.options.readyUrl, READY_TIMEOUT_MS);
    else if (this.options.readyPort) await waitForListener(child, this.options.readyPort, READY_TIMEOUT_MS);
  }

  /** SIGKILL, as a crash: no drain, no goodbye to anyone. */
  async kill(): Promise<void> {
    await this.child?.kill();
  }

  async stop(graceMs = 5000): Promise<void> {
    await this.child?.stop(graceMs);
  }

  tail(): string {
    return this.lines.map((line) => `  [${this.name}] ${line}`).join('\n');
  }
}

async function waitForListener(child: Child, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`${child.name} exited before it listened on ${port}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name} did not listen on ${port} within ${timeoutMs / 1000} s`);
}
