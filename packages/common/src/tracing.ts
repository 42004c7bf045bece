import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Traces with OpenTelemetry, by manual spans at our own seams (HTTP in and out, the SQL
 * wrapper, the outbox relay, the consumer) rather than auto-instrumentation: the seams
 * are few and ours, and patching http, pg and knex would put spans (and their cost) on
 * every call whether we want them or not.
 *
 * Off unless started: with no SDK registered the API is the no-op one, and every seam
 * checks `tracingEnabled()` first, so a process without OTEL_EXPORTER_OTLP_ENDPOINT does
 * no tracing work at all (not even building carrier objects).
 */
let enabled = false;

export function tracingEnabled(): boolean {
  return enabled;
}

/** Marks tracing on once a tracer provider, context manager and propagator are registered. */
export function markTracingEnabled(on = true): void {
  enabled = on;
}

export interface TracingHandle {
  stop(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for this process when the standard
 * OTEL_EXPORTER_OTLP_ENDPOINT is set (OTLP over HTTP; the exporter reads the endpoint and
 * the other OTEL_EXPORTER_OTLP_* settings itself). The SDK is loaded only then.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): TracingHandle | null {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { Resource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // The 1.x SDK line: the one @apollo/gateway's own spans are built against.
  const provider = new NodeTracerProvider({
    resource: new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? `storegraph-${service}` }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Registers the AsyncLocalStorage context manager and the W3C trace-context propagator too.
  provider.register();
  markTracingEnabled();
  return {
    stop: async () => {
      markTracingEnabled(false);
      await provider.shutdown();
    },
  };
}

/** The tracer of one service: its spans carry the service as instrumentation scope. */
export function tracerOf(service: string): Tracer {
  return trace.getTracer(`storegraph-${service}`);
}

/**
 * Runs `work` in a new span (a child of the active one unless `parent` is given), ends it
 * when the work settles, and records a failure. Without tracing it only runs `work`.
 */
export async function inSpan<T>(
  service: string,
  name: string,
  options: SpanOptions,
  work: (span: Span | null) => Promise<T>,
  parent?: Context,
): Promise<T> {
  if (!enabled) return work(null);
  const span = tracerOf(service).startSpan(name, options, parent ?? context.active());
  try {
    return await context.with(trace.setSpan(parent ?? context.active(), span), () => work(span));
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

export function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : new Error(String(err)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** A W3C carrier (`traceparent`, `tracestate`) of the active context, or null without tracing or a span. */
export function traceCarrier(): Record<string, string> | null {
  if (!enabled || !trace.getSpan(context.active())) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Puts the active trace context into outgoing HTTP headers (no-op without tracing). */
export function injectTraceHeaders(headers: Record<string, string>): void {
  if (!enabled) return;
  propagation.inject(context.active(), headers);
}

/** The context a carrier names (HTTP headers, NATS headers, an outbox envelope's `trace`). */
export function extractTraceContext(getter: (key: string) => string | undefined): Context {
  if (!enabled) return ROOT_CONTEXT;
  const traceparent = getter('traceparent');
  if (!traceparent) return ROOT_CONTEXT;
  const tracestate = getter('tracestate');
  return propagation.extract(ROOT_CONTEXT, tracestate ? { traceparent, tracestate } : { traceparent });
}

/** trace_id and span_id of the active span, for log lines. */
export function activeSpanIds(): { trace_id: string; span_id: string } | null {
  if (!enabled) return null;
  const span = trace.getSpan(context.active());
  if (!span) return null;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export { SpanKind };
