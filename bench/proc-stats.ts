import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

function parentOf(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** `pid` and every process below it (Hive Gateway serves from forked workers). */
function tree(pid: number): number[] {
  const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  const found = [pid];
  for (let i = 0; i < found.length; i++) for (const p of all) if (parentOf(p) === found[i]) found.push(p);
  return found;
}

function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** User + system CPU of a process and its descendants so far, in ms. */
export function processCpuMs(pid: number): number {
  return (tree(pid).reduce((sum, p) => sum + cpuTicks(p), 0) * 1000) / TICKS_PER_SECOND;
}

/** Peak resident memory (VmHWM) of a process plus its descendants, in MB. */
export function peakRssMb(pid: number): number {
  let kb = 0;
  for (const p of tree(pid)) {
    try {
      kb += Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  return kb / 1024;
}
