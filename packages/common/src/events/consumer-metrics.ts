import type { Counter, Histogram } from 'prom-client';
import { BoundChildren, metricsFor, secondsSince, type ServiceMetrics } from '../metrics';
import type { EventBus } from './bus';
import { streams, type StreamName } from './contracts';
import { deadLetterSubject } from './dead-letters';

/**
 * One durable consumer's counters (events handled by subject and outcome, handling time,
 * redeliveries, dead letters parked), with label children bound once per subject, and at
 * scrape time its lag read from JetStream: one consumer-info call per stream it reads and
 * one stream-info call for its dead letters.
 */
export class ConsumerMetrics {
  private readonly metrics: ServiceMetrics;
  private readonly consumed: BoundChildren<Counter.Internal>;
  private readonly durations: BoundChildren<Histogram.Internal<string>>;
  private readonly redeliveries: BoundChildren<Counter.Internal>;
  private readonly parked: BoundChildren<Counter.Internal>;

  constructor(private readonly consumer: string) {
    this.metrics = metricsFor(consumer);
    const consumed = this.metrics.counter('storegraph_events_consumed_total', 'Event deliveries handled, by subject, consumer and outcome', [
      'subject',
      'consumer',
      'outcome',
    ]);
    this.consumed = new BoundChildren((subject, outcome) => consumed.labels(subject, consumer, outcome));
    const durations = this.metrics.histogram('storegraph_event_handler_duration_seconds', 'Time to handle one event delivery', ['subject', 'consumer']);
    this.durations = new BoundChildren((subject) => durations.labels(subject, consumer));
    const redeliveries = this.metrics.counter('storegraph_event_redeliveries_total', 'Deliveries of an event after its first', ['subject', 'consumer']);
    this.redeliveries = new BoundChildren((subject) => redeliveries.labels(subject, consumer));
    const parked = this.metrics.counter('storegraph_dead_letters_parked_total', 'Events this consumer parked in the dead-letter stream', ['subject', 'consumer']);
    this.parked = new BoundChildren((subject) => parked.labels(subject, consumer));
  }

  handled(subject: string, outcome: string, start: bigint): void {
    this.consumed.get(subject, outcome).inc();
    this.durations.get(subject).observe(secondsSince(start));
    if (outcome === 'dead-letter') this.parked.get(subject).inc();
  }

  redelivered(subject: string): void {
    this.redeliveries.get(subject).inc();
  }

  /** Pending (not yet delivered) and unacknowledged messages per stream, and the dead letters still parked. */
  watchLag(bus: EventBus, streamNames: StreamName[]): () => void {
    const pending = this.metrics.gauge('storegraph_consumer_pending_messages', 'Messages of the stream not yet delivered to the consumer', ['stream', 'consumer']);
    const ackPending = this.metrics.gauge('storegraph_consumer_ack_pending_messages', 'Messages delivered but not yet acknowledged', ['stream', 'consumer']);
    const deadLetters = this.metrics.gauge('storegraph_dead_letters', 'Dead letters of this consumer still parked (replay with npm run dlq)', ['consumer']);
    const { consumer } = this;
    return this.metrics.onScrape(async () => {
      await Promise.all([
        ...streamNames.map(async (stream) => {
          const info = await bus.jsm.consumers.info(bus.stream(stream), consumer);
          pending.inc({ stream, consumer }, info.num_pending);
          ackPending.inc({ stream, consumer }, info.num_ack_pending);
        }),
        (async () => {
          const filter = bus.subject(deadLetterSubject(consumer, '>'));
          const info = await bus.jsm.streams.info(bus.stream(streams.deadLetters.name), { subjects_filter: filter });
          const counts = Object.values(info.state.subjects ?? {});
          deadLetters.inc({ consumer }, counts.reduce((sum, n) => sum + n, 0));
        })(),
      ]);
    });
  }
}
