import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stands in for an OpenTelemetry collector when the bench runs with tracing on
 * (BENCH_TRACING=1): accepts OTLP/HTTP posts and counts them, so the services pay the
 * whole cost of making and exporting spans. It runs in the bench's process, on the same
 * cores: a real collector elsewhere would cost the stack a little less.
 */
export async function startOtlpSink(): Promise<{ url: string; posts(): number; bytes(): number; close(): Promise<void> }> {
  let posts = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      posts += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts: () => posts,
    bytes: () => bytes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
