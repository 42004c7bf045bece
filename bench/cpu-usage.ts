import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, in ticks. */
  ticks: number;
  /** stime alone (kernel: syscalls, loopback TCP), in ticks. */
  sysTicks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: split after the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is state (field 3); ppid is field 4, utime 14, stime 15.
    return { pid, ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]), sysTicks: Number(fields[12]) };
  } catch {
    return null;
  }
}

function label(pid: number): string | null {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    const service = cmdline.match(/(?:subgraphs\/(\w+)|(gateway))\/dist\/main\.js/);
    return service ? (service[1] ?? service[2]) : null;
  } catch {
    return null;
  }
}

/**
 * The processes an order costs CPU in, with their labels: each service of the stack
 * started as `rootPid` (found below it by its entry point), every PostgreSQL process and
 * nats-server.
 */
function stackStats(rootPid: number): Array<{ stat: ProcStat; name: string }> {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== null);
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const found: Array<{ stat: ProcStat; name: string }> = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      const name = label(child.pid);
      if (name) found.push({ stat: child, name });
      walk(child.pid);
    }
  };
  walk(rootPid);
  for (const s of stats) if (s.comm === 'postgres' || s.comm === 'nats-server') found.push({ stat: s, name: s.comm });
  return found;
}

/** The same processes and this one (the bench client) by pid and thread id: their labels. */
export function stackProcesses(rootPid: number): Map<number, string> {
  const labels = new Map<number, string>(stackStats(rootPid).map(({ stat, name }) => [stat.pid, name]));
  labels.set(process.pid, 'bench client');
  // Samples name threads: V8's GC and compiler threads, libuv's pool, Go's OS threads.
  for (const [pid, name] of [...labels]) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) labels.set(Number(tid), name);
    } catch {
      // exited meanwhile
    }
  }
  return labels;
}

/**
 * CPU seconds (user + system) used so far by each service of the stack started as
 * `rootPid`, by PostgreSQL (all its processes) and by nats-server: what an order costs
 * where, measured by the kernel rather than inferred from profiles.
 */
export function cpuSnapshot(rootPid: number): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (key: string, ticks: number, sysTicks = 0) => {
    totals.set(key, (totals.get(key) ?? 0) + ticks / TICKS_PER_SECOND);
    totals.set(`${key} (sys)`, (totals.get(`${key} (sys)`) ?? 0) + sysTicks / TICKS_PER_SECOND);
  };
  for (const { stat, name } of stackStats(rootPid)) add(name, stat.ticks, stat.sysTicks);
  // Everything the machine ran (user, nice, system, irq, softirq, steal): the rest is "other".
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  totals.set('machine', (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7]) / TICKS_PER_SECOND);
  const self = process.cpuUsage();
  add('bench client', ((self.user + self.system) / 1e6) * TICKS_PER_SECOND, (self.system / 1e6) * TICKS_PER_SECOND);
  return totals;
}

/** Prints CPU milliseconds per order for each process group between two snapshots. */
export function printCpuPerOrder(before: Map<string, number>, after: Map<string, number>, orders: number, seconds: number): void {
  let total = 0;
  const used = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const names = [...after.keys()].filter((name) => !name.endsWith(' (sys)') && name !== 'machine').sort((a, b) => used(b) - used(a));
  for (const name of names) {
    total += used(name);
    const ms = (1000 * used(name)) / orders;
    const sys = (1000 * used(`${name} (sys)`)) / orders;
    console.log(
      `CPU, ${name.padEnd(13)} ${ms.toFixed(1).padStart(6)} ms per order (${sys.toFixed(1)} system), ${((100 * used(name)) / seconds).toFixed(0)}% of a core`,
    );
  }
  console.log(`CPU, all          ${((1000 * total) / orders).toFixed(1).padStart(6)} ms per order`);
  const other = used('machine') - total;
  console.log(`CPU, other processes on the machine: ${((100 * other) / seconds).toFixed(0)}% of a core (noise: anything above a few % skews throughput and latency)`);
}
