import { GraphQLError } from 'graphql';

/**
 * PostgreSQL SQLSTATE classes and codes that say "the database cannot serve this now",
 * not "this request is wrong": connection exceptions (08), insufficient resources (53),
 * operator intervention (57: statement_timeout's query_canceled, admin or crash
 * shutdown, cannot connect now).
 */
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '57'];

/** Node and driver signals of the same (the pool wait, a refused or dropped connection). */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [
  /Timeout acquiring a connection/i, // knex: every pool connection is taken
  /timeout exceeded when trying to connect/i, // pg: connectionTimeoutMillis
  /Connection terminated/i, // pg: the server went away mid-query
  /Client has encountered a connection error/i,
];

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    const e = current as { originalError?: unknown; cause?: unknown };
    current = e.originalError ?? e.cause;
  }
  return chain;
}

/** True when an error (or one it wraps) means PostgreSQL is unreachable, saturated or cancelled the statement. */
export function isDatabaseUnavailable(err: unknown): boolean {
  return causes(err).some((e) => {
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string') {
      if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return true;
      if (UNAVAILABLE_ERRNOS.has(code)) return true;
    }
    if (name === 'KnexTimeoutError') return true;
    return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
  });
}

/** The contract's answer to a dependency being down: safe to retry later (HTTP 503). */
export function serviceUnavailable(
  message = 'The service is temporarily unavailable; try again shortly',
  originalError?: Error,
): GraphQLError {
  return new GraphQLError(message, { originalError, extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
}
