import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { logScope, REQUEST_ID_HEADER, requestIdFrom, type LogScope } from './log-context';
import type { Logger } from './logger';
import { extractTraceContext, inSpan, SpanKind } from './tracing';

/** The POST body cap of a service that does not set one (the subgraphs: only the gateway calls them). */
export const DEFAULT_MAX_BODY_BYTES = 1_000_000;

export interface HttpAppOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context (identity, em.fork(), loaders). */
  context: (req: IncomingMessage) => Promise<TContext>;
  /** Throws when the service cannot serve (database or a dependency down). */
  ready: () => Promise<void>;
  /** Prometheus text exposition for `/metrics`. */
  metrics?: () => string | Promise<string>;
  /** Names the request spans' service (their tracer). */
  service?: string;
  /** Writes one access line per GraphQL request (operation, duration, outcome; never variables or tokens). */
  logger?: Logger;
  /** Allow browsers from other origins (the gateway, for Sandbox); subgraphs need not. */
  cors?: boolean;
  /** A larger POST body is answered 413 without reading it to the end (default DEFAULT_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** Checked before a GraphQL request's body is read; a refusal is sent as the answer (rate limits). */
  admit?: (req: IncomingMessage) => Promise<HttpRefusal | null>;
  /** Told of each POST refused for its size (the gateway counts refusals by limit). */
  onTooLarge?: () => void;
}

export interface HttpRefusal {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body: unknown;
}

/**
 * The HTTP face of every service: POST/GET /graphql through Apollo, plus /health (the
 * process is alive), /ready (it can do its work) and /metrics. Plain node:http keeps the
 * WebSocket upgrade path (subscriptions) ours to attach.
 */
export function createHttpApp<TContext extends BaseContext>(options: HttpAppOptions<TContext>): Server {
  return createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Internal server error' }] }));
      void err;
    });
  });
}

async function handle<TContext extends BaseContext>(
  options: HttpAppOptions<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (options.cors) setCors(req, res);
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  switch (url.pathname) {
    case '/health':
      return json(res, 200, { status: 'ok' });
    case '/ready':
      try {
        await options.ready();
        return json(res, 200, { status: 'ready' });
      } catch (err) {
        return json(res, 503, { status: 'not ready', reason: err instanceof Error ? err.message : String(err) });
      }
    case '/metrics':
      if (!options.metrics) break;
      return sendMetrics(res, options.metrics);
    case '/graphql':
    case '/':
      return observed(options, req, res, () => graphql(options, req, res, url));
  }
  json(res, 404, { error: 'not found' });
}

/**
 * One GraphQL request as operators see it: a request id (the caller's `x-request-id` or a
 * new one, echoed back) on every log line written meanwhile, a server span continuing the
 * caller's W3C trace context, and one access line at the end.
 */
async function observed<TContext extends BaseContext>(
  options: HttpAppOptions<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  handle: () => Promise<void>,
): Promise<void> {
  // `request`: the SQL this request's work sends counts as the request's (requestScope).
  const scope: LogScope = { requestId: requestIdFrom(req.headers[REQUEST_ID_HEADER]), request: true };
  res.setHeader(REQUEST_ID_HEADER, scope.requestId);
  const start = process.hrtime.bigint();
  const parent = extractTraceContext((key) => {
    const value = req.headers[key];
    return Array.isArray(value) ? value[0] : value;
  });
  await logScope.run(scope, () =>
    inSpan(
      options.service ?? 'service',
      `${req.method ?? 'GET'} /graphql`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? 'GET' } },
      async (span) => {
        try {
          await handle();
        } finally {
          span?.setAttribute('http.response.status_code', res.statusCode);
          options.logger?.info('request', {
            operation: scope.operation ?? null,
            type: scope.operationType ?? null,
            outcome: scope.outcome ?? (res.statusCode < 400 ? 'ok' : `http_${res.statusCode}`),
            status: res.statusCode,
            duration_ms: Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10,
          });
        }
      },
      parent,
    ),
  );
}

async function graphql<TContext extends BaseContext>(
  options: HttpAppOptions<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const refusal = await options.admit?.(req);
  if (refusal) {
    res.writeHead(refusal.status, { ...refusal.headers, 'content-type': 'application/json' }).end(JSON.stringify(refusal.body));
    return;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  if (req.method === 'POST') {
    const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const raw = await readBody(req, maxBytes);
    if (raw === null) {
      options.onTooLarge?.();
      return refuseTooLarge(req, res, maxBytes);
    }
    try {
      body = raw.length > 0 ? JSON.parse(raw) : {};
    } catch {
      return json(res, 400, { errors: [{ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    }
  }
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: () => options.context(req),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * The body as text, or null once it is known to exceed `maxBytes`: at once from its
 * Content-Length, else as soon as the bytes read pass the cap. Reading stops there; the
 * rest is never buffered.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(null);
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      resolvePromise(null);
    };
    req.on('data', onData);
    req.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * 413, then the connection is closed: keeping it alive would mean reading (and
 * discarding) the rest of a body of any size first.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  const body = JSON.stringify({
    errors: [{ message: `Request body is larger than ${maxBytes} bytes, the limit`, extensions: { code: 'BAD_REQUEST' } }],
  });
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(body, () => req.socket.destroy());
}

function setCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  res.setHeader('access-control-allow-origin', origin ?? '*');
  res.setHeader('vary', 'origin');
  res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader(
    'access-control-allow-headers',
    req.headers['access-control-request-headers'] ?? 'content-type, authorization, apollo-require-preflight',
  );
  res.setHeader('access-control-max-age', '600');
}

/** The exposition is built first, so a failure is a 500 rather than a 200 cut short. */
async function sendMetrics(res: ServerResponse, metrics: () => string | Promise<string>): Promise<void> {
  const text = await metrics();
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/** Listens and resolves with the bound address (port 0 picks a free port, as tests do). */
export function listen(server: Server, port: number, host = '0.0.0.0'): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolvePromise(`http://localhost:${address.port}/graphql`);
    });
  });
}

/** Stops accepting, lets in-flight requests finish, then drops idle keep-alive sockets. */
export function close(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    if (!server.listening) return resolvePromise();
    server.close(() => resolvePromise());
    server.closeIdleConnections();
  });
}

/** The client's address as seen by this process (the gateway uses it for rate limits). */
export function remoteAddress(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}
