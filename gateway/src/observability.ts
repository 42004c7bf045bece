import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { BoundChildren, inSpan, metricsFor, outcomeOf, secondsSince, SpanKind, type ServiceMetrics } from '@storegraph/common';
import type { GraphQLFormattedError } from 'graphql';
import type { Counter, Histogram } from 'prom-client';
import type { GatewayContext } from './context';

const metrics = (): ServiceMetrics => metricsFor('gateway');

/** Every limit names its setting at the end of its message: "... (MAX_QUERY_DEPTH)". */
const LIMIT_IN_MESSAGE = /\(((?:MAX|WS)_[A-Z_]+)\)$/;

/** Refusals by the limit that refused, label values bounded by the settings' names. */
export class Refusals {
  private readonly counter: Counter<'limit'> = metrics().counter('storegraph_gateway_refusals_total', 'Requests and operations refused by a limit', ['limit']);
  private readonly byLimit = new BoundChildren((limit) => this.counter.labels(limit));

  count(limit: string): void {
    this.byLimit.get(limit).inc();
  }

  /** Counts the limit refusals among a response's errors (the rate limit and every MAX_* or WS_* setting). */
  countErrors = (errors: readonly GraphQLFormattedError[]): void => {
    for (const error of errors) {
      if (error.extensions?.code === 'RATE_LIMITED') this.count('request_rate');
      const limit = LIMIT_IN_MESSAGE.exec(error.message)?.[1];
      if (limit) this.count(limit.toLowerCase());
    }
  };
}

/** Open sockets, client subscriptions and upstream subscriptions, read at scrape time. */
export function watchLive(live: { sockets(): number; subscriptions(): number; upstreamSubscriptions(): number }): () => void {
  const m = metrics();
  const sockets = m.gauge('storegraph_gateway_websockets', 'WebSockets open to clients');
  const subscriptions = m.gauge('storegraph_gateway_subscriptions', 'Client subscriptions open over WebSockets');
  const upstream = m.gauge('storegraph_gateway_upstream_subscriptions', 'Subscriptions the gateway holds open to subgraphs');
  return m.onScrape(() => {
    sockets.inc(live.sockets());
    subscriptions.inc(live.subscriptions());
    upstream.inc(live.upstreamSubscriptions());
  });
}

/**
 * A subgraph's data source as operators see it: fetches counted by subgraph and outcome
 * with their latency, and with tracing a client span per fetch, active while the inner
 * source sends (JsonHttpClient puts its context in the `traceparent` header).
 */
export class ObservedDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly fetches: BoundChildren<Counter.Internal>;
  private readonly latency: Histogram.Internal<string>;

  constructor(
    readonly name: string,
    readonly inner: GraphQLDataSource<GatewayContext>,
  ) {
    const m = metrics();
    const fetches = m.counter('storegraph_gateway_subgraph_fetches_total', 'Fetches from the gateway to a subgraph, by outcome', ['subgraph', 'outcome']);
    this.fetches = new BoundChildren((outcome) => fetches.labels(name, outcome));
    this.latency = m
      .histogram('storegraph_gateway_subgraph_fetch_duration_seconds', 'Time a subgraph took to answer a fetch', ['subgraph'])
      .labels(name);
  }

  process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    return inSpan('gateway', `subgraph ${this.name}`, { kind: SpanKind.CLIENT, attributes: { 'graphql.subgraph': this.name } }, async () => {
      const start = process.hrtime.bigint();
      try {
        const response = await this.inner.process(options);
        this.fetches.get(outcomeOf(response.errors as GraphQLFormattedError[] | undefined)).inc();
        return response;
      } catch (err) {
        const code = (err as { extensions?: { code?: unknown } }).extensions?.code;
        this.fetches.get(code === 'SERVICE_UNAVAILABLE' ? 'service_unavailable' : 'error').inc();
        throw err;
      } finally {
        this.latency.observe(secondsSince(start));
      }
    });
  }
}
