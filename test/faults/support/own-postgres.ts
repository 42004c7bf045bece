import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { trackDir, trackProcess, untrackProcess } from './cleanup';

const STEP_TIMEOUT_MS = 60_000;

/** FAULTS_PG_BIN, else the newest Debian/Ubuntu PostgreSQL under /usr/lib/postgresql, else PATH. */
function binDir(): string {
  if (process.env.FAULTS_PG_BIN) return process.env.FAULTS_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(a) - Number(b)) : [];
  return versions.length > 0 ? join(root, versions[versions.length - 1], 'bin') : '';
}

/** PostgreSQL refuses to run as root: as root (CI), every server command runs as the `postgres` user. */
const asRoot = process.getuid?.() === 0;
const SERVER_USER = process.env.FAULTS_PG_USER ?? 'postgres';

function run(command: string, args: string[], cwd: string): Promise<string> {
  const bin = binDir();
  const exe = bin ? join(bin, command) : command;
  const [file, argv] = asRoot ? ['runuser', ['-u', SERVER_USER, '--', exe, ...args]] : [exe, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'exit', not 'close': a server started in the background may hold inherited pipes.
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `code ${code}`}): ${output.trim()}`));
    });
  });
}

/**
 * A PostgreSQL server of the fault suite's own: a cluster initialised into a temp folder,
 * listening on 127.0.0.1:<port> (trust, user postgres), so the suite can crash it,
 * restart it and terminate its backends without touching the machine's shared server.
 */
export class OwnPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'storegraph-pg-'));
  private readonly dataDir = join(this.dir, 'data');
  private readonly logFile = join(this.dir, 'postgres.log');

  constructor(readonly port: number) {
    // Whatever happens to the test run, the folder goes with it (and the server, see start()).
    trackDir(this.dir);
    if (asRoot) chownSync(this.dir, Number(userId(SERVER_USER)), Number(groupId(SERVER_USER)));
  }

  /** The server (no database): each service appends its own. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  /** The postmaster's process id while it runs (from its lock file). */
  get pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async init(): Promise<void> {
    await run('initdb', ['-D', this.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], this.dir);
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      "-c listen_addresses='127.0.0.1'",
      '-c max_connections=200',
      // A crash of this server is a process crash, not a power cut: the page cache survives.
      '-c fsync=off',
      '-c full_page_writes=off',
    ].join(' ');
    await run('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', '-o', options, 'start'], this.dir);
    trackProcess(this.pid);
  }

  /** Immediate shutdown: every backend is killed without a checkpoint; the next start runs crash recovery. */
  async crash(): Promise<void> {
    const pid = this.pid;
    await run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '60', 'stop'], this.dir);
    untrackProcess(pid);
  }

  /** Terminates every other client backend from a connection of its own; returns how many. */
  async terminateBackends(): Promise<number> {
    const client = new Client({ connectionString: `${this.url}/postgres`, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        `select count(*) filter (where pg_terminate_backend(pid))::int as n
           from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'`,
      );
      return rows[0].n;
    } finally {
      await client.end();
    }
  }

  /** Stops the server (immediately: nothing in it is kept) and deletes its folder. */
  async destroy(): Promise<void> {
    const pid = this.pid;
    if (pid) {
      await this.crash().catch(() => {
        process.kill(pid, 'SIGKILL');
        untrackProcess(pid);
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The server's log, for a failure report. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

function userId(name: string): string {
  return idOf(name, 3);
}

function groupId(name: string): string {
  return idOf(name, 4);
}

/** uid (field 3) or gid (field 4) of a user, from /etc/passwd. */
function idOf(name: string, field: number): string {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`No user ${name} to run PostgreSQL as (running as ${userInfo().username})`);
  return line.split(':')[field - 1];
}
