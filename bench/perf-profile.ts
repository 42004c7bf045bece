import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * A whole-machine CPU profile of the measured phase with Linux perf (BENCH_PERF=1): on-CPU
 * samples of every process, the kernel's share included, where V8's own profiles are
 * wall-clock samples of one process that count waiting to be scheduled as work.
 */
export function startPerf(file: string): ChildProcess {
  return spawn('perf', ['record', '-a', '-g', '-F', '297', '-o', file], { stdio: 'ignore' });
}

export function stopPerf(perf: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (perf.exitCode !== null) return resolve();
    perf.once('exit', () => resolve());
    perf.kill('SIGINT');
  });
}

/**
 * Prints each process's share of all samples (2 cores = 200%), split into its own code
 * (JIT-compiled JavaScript, or the postgres / nats-server binary), the runtime (node's
 * binary: V8, GC, libuv; and C libraries) and the kernel (syscalls, loopback TCP, fsync).
 */
export function summarizePerf(file: string, labels: Map<number, string>): void {
  const report = spawnSync('perf', ['report', '-i', file, '--no-children', '--sort', 'pid,dso', '-g', 'none', '--stdio'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const shares = new Map<string, Record<'own' | 'runtime' | 'kernel', number>>();
  for (const line of report.stdout.split('\n')) {
    const m = line.match(/^\s*([\d.]+)%\s+(\d+):(\S+)\s+(.*)$/);
    if (!m) continue;
    const [, pct, pid, comm, dso] = m;
    const name = labels.get(Number(pid)) ?? (comm === 'swapper' ? 'idle' : 'other');
    const share = shares.get(name) ?? { own: 0, runtime: 0, kernel: 0 };
    const kind = dso.includes('kernel') ? 'kernel' : dso.includes('JIT') || /^(postgres|nats-server)$/.test(dso.trim()) ? 'own' : 'runtime';
    share[kind] += 2 * Number(pct);
    shares.set(name, share);
  }
  console.log('\nperf, share of both cores during the measured phase (own code / runtime / kernel):');
  for (const [name, s] of [...shares].sort((a, b) => b[1].own + b[1].runtime + b[1].kernel - (a[1].own + a[1].runtime + a[1].kernel))) {
    const total = s.own + s.runtime + s.kernel;
    if (total < 0.5) continue;
    console.log(`  ${name.padEnd(13)} ${total.toFixed(1).padStart(5)}%  (${s.own.toFixed(1)} / ${s.runtime.toFixed(1)} / ${s.kernel.toFixed(1)})`);
  }
}
