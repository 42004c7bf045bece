import pino, { type Logger as PinoLogger } from 'pino';
import { logScope } from './log-context';
import { activeSpanIds } from './tracing';

/**
 * One JSON object per line on stdout (pino), each with the service, and inside a request
 * or an event its `request_id`, and with tracing on its `trace_id` and `span_id`, so every
 * line of one request can be found and joined to its trace. `LOG_FORMAT=pretty` (what
 * `npm start` sets on a terminal) prints readable coloured lines instead.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Adds the request's and the trace's ids to each line; read when a line is written, so children see them too. */
function scopeFields(): Record<string, unknown> {
  const scope = logScope.getStore();
  const ids = activeSpanIds();
  if (!scope && !ids) return {};
  return { ...(scope ? { request_id: scope.requestId } : {}), ...ids };
}

/** stdout, or pino-pretty's coloured lines; both written through process.stdout (tests may watch it). */
function destination(): NodeJS.WritableStream {
  if (process.env.LOG_FORMAT !== 'pretty') return process.stdout;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({
    colorize: true,
    sync: true,
    destination: process.stdout,
    translateTime: 'HH:MM:ss.l',
    singleLine: true,
    ignore: 'pid,hostname,service',
  });
}

let shared: NodeJS.WritableStream | null = null;

function wrap(inner: PinoLogger): Logger {
  return {
    debug: (message, fields) => inner.debug(fields ?? {}, message),
    info: (message, fields) => inner.info(fields ?? {}, message),
    warn: (message, fields) => inner.warn(fields ?? {}, message),
    error: (message, fields) => inner.error(fields ?? {}, message),
    child: (fields) => wrap(inner.child(fields)),
  };
}

export function createLogger(
  service: string,
  level: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info',
  base: Record<string, unknown> = {},
): Logger {
  shared ??= destination();
  const inner = pino(
    {
      level,
      base: { service, ...base },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: scopeFields,
      // `err` anywhere in the fields prints its message and stack, not `{}`.
      serializers: { err: pino.stdSerializers.err },
    },
    shared,
  );
  return wrap(inner);
}
