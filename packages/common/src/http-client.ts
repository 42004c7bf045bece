import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import { currentRequestId, REQUEST_ID_HEADER } from './log-context';
import { injectTraceHeaders } from './tracing';

export interface HttpReply {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** A failed call: no answer within the time allowed, or the connection failed. */
export class HttpCallError extends Error {}

/**
 * JSON over HTTP between our own services, on keep-alive connections (the agent pools them
 * per origin). Used rather than the global fetch: undici's fetch costs about 0.3 ms more CPU
 * per call than node:http on this hardware (measured in one process, same server), and the
 * saga pays for three such hops per order. Each app owns one and closes it when it stops.
 */
export class JsonHttpClient {
  private readonly agent = new Agent({
    keepAlive: true,
    scheduling: 'lifo',
    // Idle sockets close before the far side's keep-alive timeout (Node's default 5 s), so
    // a request is never written onto a connection the server is closing.
    timeout: 4000,
  });

  /** POSTs a JSON body and reads the whole answer; rejects on a network error or after timeoutMs. */
  post(url: string, body: string, headers: OutgoingHttpHeaders, timeoutMs: number): Promise<HttpReply> {
    // The request id and the active trace context travel with every call between our services.
    const sent: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const requestId = currentRequestId();
    if (requestId) sent[REQUEST_ID_HEADER] = requestId;
    injectTraceHeaders(sent as Record<string, string>);
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...headers, ...sent },
      });
      const timer = setTimeout(() => req.destroy(new HttpCallError(`no answer from ${url} within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err instanceof HttpCallError ? err : new HttpCallError(`${url}: ${err.message}`, { cause: err }));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(body);
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}
