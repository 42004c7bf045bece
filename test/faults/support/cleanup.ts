import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';

/**
 * Last-resort cleanup: whatever the suite started (processes by PID, temp folders) is
 * undone when the test process goes, however it goes (a failed beforeAll, a timeout,
 * Ctrl-C, even SIGKILL). An 'exit' handler cannot do it: jest gives a test file a process
 * object of its own whose events never fire, and SIGKILL runs no handler at all. So a
 * small detached watchdog is told each PID and folder over a pipe; when the pipe closes
 * (the suite ended, one way or another) it kills what is still registered and deletes the
 * folders. afterAll normally did the work already and unregistered the processes, so a
 * PID the system has since reused is never hit.
 */
const WATCHDOG = `
const { rmSync } = require('node:fs');
const pids = new Set();
const dirs = new Set();
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\\n');
  buffered = lines.pop();
  for (const line of lines) {
    const [verb, arg] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (verb === 'pid') pids.add(Number(arg));
    if (verb === 'unpid') pids.delete(Number(arg));
    if (verb === 'dir') dirs.add(arg);
  }
});
process.stdin.on('close', () => {
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  // A killed server may still be writing its folder for a moment.
  setTimeout(() => {
    for (const dir of dirs) { try { rmSync(dir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, 1000);
});
`;

let watchdog: ChildProcess | null = null;

function tell(line: string): void {
  if (!watchdog) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    // Neither the watchdog nor its pipe keeps the test process alive.
    watchdog.unref();
    (watchdog.stdin as Writable & { unref?: () => void }).unref?.();
    (watchdog.stdin as unknown as { _handle?: { unref(): void } })._handle?.unref();
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** The watchdog kills this process if the suite ends while it still runs. */
export function trackProcess(pid: number | undefined): void {
  if (pid) tell(`pid ${pid}`);
}

/** The process ended (or was stopped) as planned: forget it, so a reused PID is left alone. */
export function untrackProcess(pid: number | undefined): void {
  if (pid) tell(`unpid ${pid}`);
}

/** The watchdog deletes this folder when the suite ends. */
export function trackDir(dir: string): void {
  tell(`dir ${dir}`);
}

/** The same, as the hooks scripts/managed-process.ts calls for each process it starts and sees end. */
export const watchdogHooks = { started: trackProcess, ended: untrackProcess };
