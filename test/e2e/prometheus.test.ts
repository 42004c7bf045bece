import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, waitFor } from '@storegraph/common/testing';
import { startStack, type Stack } from './support/stack';

/**
 * A real Prometheus (the Debian package's binary, on a port and data folder of its own)
 * scrapes a test stack and answers, through its HTTP API, one metric of each service.
 * Not skipped when Prometheus is missing: it fails and says how to install it.
 */
function prometheusBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('prometheus is not installed: apt-get install -y prometheus (Debian package; .ci/run installs it)');
  return found;
}

describe('Prometheus scraping the stack', () => {
  let stack: Stack;
  let prometheus: ChildProcess | null = null;
  let api: string;
  const dir = mkdtempSync(join(tmpdir(), 'storegraph-prometheus-'));

  beforeAll(async () => {
    const binary = prometheusBinary();
    stack = await startStack();
    const targets = [stack.url, ...Object.values(stack.urls)].map((url) => new URL(url).host);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, scrape_timeout: 1s }',
        'scrape_configs:',
        '  - job_name: storegraph',
        `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
        '',
      ].join('\n'),
    );
    const port = await freeTcpPort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      binary,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
    await waitFor(async () => (await fetch(`${api}/-/ready`)).ok, { timeoutMs: 30_000, intervalMs: 200, what: 'Prometheus to be ready' });
  });

  afterAll(async () => {
    if (prometheus?.pid && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      process.kill(prometheus.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    await stack?.stop();
  });

  async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    expect(body.status).toBe('success');
    return body.data.result;
  }

  it('reads a metric of each service back', async () => {
    const perService: Record<string, string> = {
      gateway: 'storegraph_gateway_websockets',
      users: 'storegraph_db_pool_waiting',
      catalog: 'storegraph_consumer_pending_messages',
      orders: 'storegraph_outbox_unpublished',
      payments: 'storegraph_dead_letters',
    };
    for (const [service, metric] of Object.entries(perService)) {
      const result = await waitFor(
        async () => {
          const found = await query(`${metric}{service="${service}"}`);
          return found.length > 0 ? found : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: `${metric} of ${service} in Prometheus` },
      );
      expect(result[0].metric).toMatchObject({ __name__: metric, service, job: 'storegraph' });
      expect(Number.isFinite(Number(result[0].value[1]))).toBe(true);
    }
    const up = await query('up{job="storegraph"}');
    expect(up.map((r) => r.value[1])).toEqual(['1', '1', '1', '1', '1']);
  });
});
