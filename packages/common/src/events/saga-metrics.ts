import type { MikroORM } from '@mikro-orm/postgresql';
import type { Counter } from 'prom-client';
import { requestScope } from '../log-context';
import { BoundChildren, metricsFor, type ServiceMetrics } from '../metrics';
import type { EventEnvelope } from './contracts';

/** The status an `orders.order.*` event announces: the saga's transitions, by where they lead. */
const STATUS_OF: Record<string, string> = {
  'orders.order.placed': 'PENDING',
  'orders.order.reserved': 'RESERVED',
  'orders.order.confirmed': 'CONFIRMED',
  'orders.order.failed': 'FAILED',
  'orders.order.cancelled': 'CANCELLED',
};

const PAYMENT_OUTCOME_OF: Record<string, string> = {
  'payments.payment.captured': 'captured',
  'payments.payment.failed': 'declined',
  'payments.payment.refunded': 'refunded',
};

/**
 * The saga as counters, read off the events each service publishes: every state change
 * the saga knows of is an event written in the same transaction, so counting at publish
 * (after commit, once JetStream has it) counts each change once without touching the
 * services that make them. A row the relay published whose mark was lost is published
 * again by the sweeper and counted again: rare, and only ever an overcount of one.
 */
export class SagaMetrics {
  private static readonly byService = new Map<string, SagaMetrics>();

  static of(service: string): SagaMetrics {
    let metrics = SagaMetrics.byService.get(service);
    if (!metrics) {
      metrics = new SagaMetrics(metricsFor(service));
      SagaMetrics.byService.set(service, metrics);
    }
    return metrics;
  }

  private readonly publishedBySubject: BoundChildren<Counter.Internal>;
  private readonly statusChanges: BoundChildren<Counter.Internal>;
  private readonly payments: BoundChildren<Counter.Internal>;
  private readonly paymentAmounts: BoundChildren<Counter.Internal>;
  private readonly reservationsExpired: Counter;

  private constructor(readonly metrics: ServiceMetrics) {
    const published = metrics.counter('storegraph_events_published_total', 'Events published to JetStream from the outbox', ['subject']);
    this.publishedBySubject = new BoundChildren((subject) => published.labels(subject));
    const status = metrics.counter('storegraph_order_status_changes_total', 'Orders moved to a status (FAILED with its reason)', ['status', 'reason']);
    this.statusChanges = new BoundChildren((to, reason) => status.labels(to, reason));
    const payments = metrics.counter('storegraph_payments_total', 'Payments captured, declined and refunded', ['outcome']);
    this.payments = new BoundChildren((outcome) => payments.labels(outcome));
    const amounts = metrics.counter(
      'storegraph_payment_amount_minor_units_total',
      'Amounts captured and refunded, in minor units of STORE_CURRENCY',
      ['outcome'],
    );
    this.paymentAmounts = new BoundChildren((outcome) => amounts.labels(outcome));
    this.reservationsExpired = metrics.counter('storegraph_reservations_expired_total', 'Stock reservations released because their order was not paid in time');
  }

  published(envelope: EventEnvelope): void {
    const { subject } = envelope;
    this.publishedBySubject.get(subject).inc();
    const status = STATUS_OF[subject];
    if (status) {
      const reason = status === 'FAILED' ? String((envelope.data as { reason?: string }).reason ?? 'unknown') : '';
      this.statusChanges.get(status, reason).inc();
      return;
    }
    const outcome = PAYMENT_OUTCOME_OF[subject];
    if (outcome) {
      this.payments.get(outcome).inc();
      const amount = (envelope.data as { amountMinor?: number }).amountMinor;
      if (typeof amount === 'number') this.paymentAmounts.get(outcome).inc(amount);
      return;
    }
    if (subject === 'catalog.reservation.expired') this.reservationsExpired.inc();
  }

  /** The outbox backlog at scrape time: rows not yet published and the age of the oldest (one indexed query). */
  watchOutbox(orm: MikroORM): () => void {
    const unpublished = this.metrics.gauge('storegraph_outbox_unpublished', 'Outbox rows committed but not yet published');
    const oldest = this.metrics.gauge('storegraph_outbox_oldest_unpublished_age_seconds', 'Age of the oldest unpublished outbox row (0 when none)');
    // Not a request's statement, although a /metrics request runs it.
    return this.metrics.onScrape(() => requestScope.exit(async () => {
      const rows = (await orm.em
        .getConnection()
        .execute(
          `select count(*)::int as n, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as age
             from outbox where published_at is null`,
        )) as Array<{ n: number; age: number }>;
      unpublished.inc(rows[0].n);
      // Several instances in one process: the oldest is the oldest of all.
      const current = (await oldest.get()).values[0]?.value ?? 0;
      if (rows[0].age > current) oldest.set(rows[0].age);
    }));
  }
}
