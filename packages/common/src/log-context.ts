import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What ties the log lines of one request or one event together: its id, and what the
 * access line reports at the end (filled in by whoever learns it: the GraphQL layer knows
 * the operation and its outcome, the HTTP layer only the status).
 */
export interface LogScope {
  /** `request_id` on every line: the caller's `x-request-id`, or a fresh one; an event's id in a consumer. */
  readonly requestId: string;
  operation?: string;
  operationType?: string;
  outcome?: string;
  /** True inside an API request's work (requestScope): its SQL statements count as the request's. */
  request?: boolean;
}

/**
 * The one AsyncLocalStorage of a process. Each instance costs work at every promise the
 * process creates (Node 20 propagates every store to every new async resource), so the
 * request marker for SQL counting lives in the same store rather than in one of its own.
 */
export const logScope = new AsyncLocalStorage<LogScope>();

/**
 * The async work of one API request, whose SQL is counted as the request's (the N+1
 * tests measure exactly that): every GraphQL request's scope is one (http.ts), and `run`
 * makes one elsewhere. `exit` runs background work started from a request (publishing
 * after commit, a scrape's queries) outside it, keeping the request id on its log lines.
 */
export const requestScope = {
  run<R>(work: () => R): R {
    return logScope.run({ requestId: logScope.getStore()?.requestId ?? randomUUID(), request: true }, work);
  },
  exit<R>(work: () => R): R {
    const scope = logScope.getStore();
    if (!scope?.request) return work();
    // Inherits the request id (and whatever the access line learns later) through the prototype.
    return logScope.run(Object.assign(Object.create(scope) as LogScope, { request: false }), work);
  },
  active(): boolean {
    return logScope.getStore()?.request === true;
  },
};

/** A request id a caller may choose: short and printable, else ignored (it lands in every log line). */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTABLE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** The header that carries the request id from the client through the gateway to each subgraph. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The current request's or event's id, if any. */
export function currentRequestId(): string | undefined {
  return logScope.getStore()?.requestId;
}
