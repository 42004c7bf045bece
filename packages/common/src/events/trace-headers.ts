import { context, propagation } from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import { extractTraceContext } from '../tracing';

/** NATS headers carrying the active span's W3C trace context (`traceparent`, `tracestate`). */
export function traceHeaders(): MsgHdrs {
  const h = natsHeaders();
  propagation.inject(context.active(), h, { set: (carrier, key, value) => carrier.set(key, value) });
  return h;
}

/** The trace context a received message's headers carry (the root context without tracing or headers). */
export function traceContextOf(headers: MsgHdrs | undefined) {
  return extractTraceContext((key) => (headers?.has(key) ? headers.get(key) : undefined));
}
