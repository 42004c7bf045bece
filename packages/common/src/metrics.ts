import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Latency buckets (seconds) of every histogram: few, so an observation is a short scan and
 * a scrape stays small, yet they bracket what the alerts ask (p99 under 1 s).
 */
export const LATENCY_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * Something read at scrape time (pool sizes, outbox backlog, consumer lag) rather than
 * counted on the hot path. Several instances of one service in one process (tests) each
 * add theirs; the gauge reports the sum.
 */
export type ScrapeSource = () => Promise<void> | void;

/**
 * One service's Prometheus registry: the default process metrics and every metric of the
 * service, each series labelled `service`. One per service name and process, made on
 * first use (`metricsFor`), so a seam that knows its service (HTTP layer, database,
 * consumer, relay) finds the registry without it being passed down every constructor.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly sources = new Set<ScrapeSource>();
  private readonly made = new Map<string, Counter | Gauge | Histogram>();

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.once(name, () => new Counter<L>({ name, help, labelNames, registers: [this.registry] }));
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS): Histogram<L> {
    return this.once(name, () => new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] }));
  }

  /** A gauge whose value is set by scrape sources (or directly). */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.once(name, () => new Gauge<L>({ name, help, labelNames, registers: [this.registry] }));
  }

  /** Runs before every scrape; remove it (the returned function) when its owner stops. */
  onScrape(source: ScrapeSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  /** The Prometheus text exposition, after every scrape source has refreshed its gauges. */
  async text(): Promise<string> {
    for (const metric of this.made.values()) if (metric instanceof Gauge) metric.reset();
    // A source that cannot read (NATS or the database down) leaves its gauges out, not the scrape.
    await Promise.allSettled([...this.sources].map((source) => withTimeout(source, SOURCE_TIMEOUT_MS)));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private once<M extends Counter | Gauge | Histogram>(name: string, make: () => M): M {
    let metric = this.made.get(name);
    if (!metric) {
      metric = make();
      this.made.set(name, metric);
    }
    return metric as M;
  }
}

/** A scrape waits no longer than this for one source (Prometheus' own scrape timeout is 10 s). */
const SOURCE_TIMEOUT_MS = 2000;

async function withTimeout(source: ScrapeSource, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(source),
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error('scrape source timed out')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const byService = new Map<string, ServiceMetrics>();

/** The registry of `service` in this process. */
export function metricsFor(service: string): ServiceMetrics {
  let metrics = byService.get(service);
  if (!metrics) {
    metrics = new ServiceMetrics(service);
    byService.set(service, metrics);
  }
  return metrics;
}

/**
 * Pre-bound label children by key: `labels()` hashes its arguments on every call; a hot
 * path (each event, each statement) looks its child up once per distinct key instead.
 */
export class BoundChildren<T> {
  private readonly children = new Map<string, T>();

  constructor(private readonly bind: (...values: string[]) => T) {}

  get(...values: string[]): T {
    const key = values.join('\u0000');
    let child = this.children.get(key);
    if (!child) {
      child = this.bind(...values);
      this.children.set(key, child);
    }
    return child;
  }
}

/** Seconds since a `process.hrtime.bigint()` reading. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
