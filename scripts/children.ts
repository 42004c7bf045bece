import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const COLORS = [36, 35, 33, 32, 34, 31];

/** What a child runs: a script of ours under this node, or another program (nats-server, haproxy ...). */
export type ChildEntry = string | { command: string; args: string[] };

/** A service process whose output is shown line by line behind a colored `[name]`. */
export class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcess;

  constructor(
    readonly name: string,
    entry: ChildEntry,
    options: {
      cwd: string;
      env: NodeJS.ProcessEnv;
      colorIndex: number;
      /** Where each output line goes; by default the terminal, behind the colored name. */
      onLine?: (line: string) => void;
    },
  ) {
    const color = COLORS[options.colorIndex % COLORS.length];
    const prefix = process.stdout.isTTY ? `\x1b[${color}m[${name}]\x1b[0m ` : `[${name}] `;
    // SERVICE_NODE_ARGS passes flags to every service's node (e.g. --cpu-prof for the bench).
    const nodeArgs = (options.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const [command, args] = typeof entry === 'string' ? [process.execPath, [...nodeArgs, entry]] : [entry.command, entry.args];
    this.process = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = options.onLine ?? ((line: string) => process.stdout.write(`${prefix}${line}\n`));
    for (const stream of [this.process.stdout, this.process.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', onLine);
    }
    this.exited = new Promise((resolveExit) => {
      this.process.once('exit', (code, signal) => resolveExit({ code, signal }));
      this.process.once('error', () => resolveExit({ code: 1, signal: null }));
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** SIGKILL: the process dies where it stands, as in a crash. Resolves once it is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the services drain on it), SIGKILL after the grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Polls `url` until it answers 200; fails at the deadline or as soon as the child exits. */
export async function waitUntilReady(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`${child.name} exited before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
  throw new Error(`${child.name} was not ready at ${url} within ${timeoutMs / 1000} s (last: ${last})`);
}
