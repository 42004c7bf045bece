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
}

export const logScope = new AsyncLocalStorage<LogScope>();

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
