import type { EntityManager, Knex, MikroORM } from '@mikro-orm/postgresql';
import { requestScope } from '../log-context';
import { PeriodicTask } from '../periodic-task';
import { uuidv7 } from '../ids';
import type { Logger } from '../logger';
import { extractTraceContext, inSpan, SpanKind, traceCarrier, tracingEnabled } from '../tracing';
import { traceHeaders } from './trace-headers';
import { SagaMetrics } from './saga-metrics';
import type { EventBus } from './bus';
import { preparedRunner, type Sql } from './one-statement';
import { eventContracts, streamOf, type EventEnvelope, type Payload, type Subject } from './contracts';

/** DDL of the outbox and inbox tables; every emitting/consuming subgraph's migration runs it. */
export const eventTablesSql = [
  `create table if not exists outbox (
     id uuid primary key,
     subject text not null,
     envelope jsonb not null,
     created_at timestamptz not null default now(),
     published_at timestamptz null)`,
  'create index if not exists outbox_unpublished_idx on outbox (id) where published_at is null',
  `create table if not exists processed_events (
     event_id uuid not null,
     consumer text not null,
     subject text not null,
     processed_at timestamptz not null default now(),
     primary key (event_id, consumer))`,
];

/**
 * Envelopes written by each open transaction, keyed by its transaction object, so the
 * relay can publish them the moment that transaction commits without reading them back.
 * Weak: a transaction that rolls back simply drops its list.
 */
const emittedIn = new WeakMap<object, EventEnvelope[]>();

/**
 * Records an event in the outbox inside the caller's transaction: it becomes visible to
 * the relay exactly when the state change it describes commits, and never otherwise.
 */
export async function emit<S extends Subject>(tx: EntityManager, subject: S, data: Payload<S>): Promise<string> {
  const envelope: EventEnvelope<S> = {
    id: uuidv7(),
    subject,
    version: eventContracts[subject].version,
    occurredAt: new Date().toISOString(),
    data,
  };
  const trace = traceCarrier();
  if (trace) envelope.trace = trace;
  await tx.execute('insert into outbox (id, subject, envelope) values (?, ?, ?)', [
    envelope.id,
    subject,
    JSON.stringify(envelope),
  ]);
  remember(tx, [envelope]);
  return envelope.id;
}

/**
 * Runs, in the caller's transaction, ONE statement that writes its outbox rows with
 * outboxInsert (one-statement.ts) and returns their envelopes as a jsonb array in the
 * `events` column of its single row: a write and its event in one round trip instead of
 * two. The envelopes are published when the transaction commits, as emit()'s are.
 */
export async function executeEmitting<T extends { events: EventEnvelope[] }>(tx: EntityManager, statement: Sql): Promise<T> {
  const [row] = await executePrepared<T>(tx, statement);
  remember(tx, row.events);
  return row;
}

/**
 * Runs a `sql` statement as a named prepared statement (preparedRunner), in the entity
 * manager's transaction if it has one: for the statements every request sends, which
 * PostgreSQL would otherwise parse and plan anew each time.
 */
export function executePrepared<T>(em: EntityManager, statement: Sql): Promise<T[]> {
  return preparedRunner(em.getTransactionContext<Knex.Transaction>() ?? em.getConnection().getKnex())<T>(statement);
}

/**
 * Hands the envelopes to the relay: in a transaction through its commit hook; outside one
 * the statement was its own transaction and has committed, so they go to the relay now.
 * Without a relay (tests playing a crash) the sweeper publishes them.
 */
function remember(tx: EntityManager, envelopes: EventEnvelope[]): void {
  if (envelopes.length === 0) return;
  const transaction = tx.getTransactionContext<object>();
  if (transaction) emittedIn.set(transaction, [...(emittedIn.get(transaction) ?? []), ...envelopes]);
  else relayOf.get(tx.getEventManager())?.committed(envelopes);
}

/** The relay started for an ORM, found from any of its entity managers (forks share the event manager). */
const relayOf = new WeakMap<object, OutboxRelay>();

export interface OutboxRelayOptions {
  orm: MikroORM;
  bus: EventBus;
  logger: Logger;
  /** How often the sweeper looks for rows the relay did not publish. */
  sweepIntervalMs?: number;
  /** How old an unpublished row must be before the sweeper takes it (the direct path's head start). */
  graceMs?: number;
  batchSize?: number;
  /** How long published ids gather before one UPDATE marks them all. */
  markDelayMs?: number;
}

/**
 * Publishes outbox rows to JetStream, on two paths:
 *  - right after commit: the ORM's afterTransactionCommit hook hands over the envelopes
 *    that transaction wrote; they are published at once and marked published in batches
 *    (one UPDATE for many events), so the hot path costs no extra read;
 *  - the sweeper: every sweepIntervalMs it claims rows still unpublished after a grace
 *    period (NATS was down, the process died between commit and publish) with
 *    SKIP LOCKED, so several instances share the work.
 * The row id is the Nats-Msg-Id: a row published by both paths is stored once.
 */
export class OutboxRelay {
  private readonly sweeps: PeriodicTask;
  private readonly toMark: string[] = [];
  private marking: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly metrics: SagaMetrics;
  private unscrape: (() => void) | null = null;

  constructor(private readonly options: OutboxRelayOptions) {
    this.metrics = SagaMetrics.of(options.bus.service);
    this.sweeps = new PeriodicTask(
      options.sweepIntervalMs ?? 1000,
      // Background work: never counted as part of a request, wherever the kick came from.
      () => requestScope.exit(() => this.drain(options.graceMs ?? 2000)),
      (err) => options.logger.warn('outbox sweeper could not publish; will retry', { err }),
    );
  }

  private get stopped(): boolean {
    return this.sweeps.stopped;
  }

  start(): void {
    relayOf.set(this.options.orm.em.getEventManager(), this);
    this.options.orm.em.getEventManager().registerSubscriber({
      afterTransactionCommit: async ({ transaction }) => {
        const envelopes = transaction ? emittedIn.get(transaction as object) : undefined;
        if (envelopes) this.committed(envelopes);
      },
    });
    this.sweeps.start();
    this.sweeps.kick();
    this.unscrape = this.metrics.watchOutbox(this.options.orm);
  }

  /** Runs the sweeper now (it also runs on its interval). */
  kick(): void {
    this.sweeps.kick();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Publishes envelopes whose outbox rows just committed outside the ORM (one-statement steps). */
  committed(envelopes: EventEnvelope[]): void {
    if (!this.stopped) this.track(requestScope.exit(() => this.publishCommitted(envelopes)));
  }

  private async publishCommitted(envelopes: EventEnvelope[]): Promise<void> {
    try {
      await Promise.all(envelopes.map((envelope) => this.publish(envelope.id, envelope.subject, envelope)));
    } catch (err) {
      // Left unpublished in the outbox: the sweeper retries after the grace period.
      this.options.logger.warn('could not publish after commit; the sweeper retries', { err });
      return;
    }
    this.toMark.push(...envelopes.map((e) => e.id));
    if (!this.marking) this.marking = this.markPublished();
  }

  /**
   * Waits markDelayMs before each UPDATE so that one statement marks what many commits
   * published: marking is bookkeeping for the sweeper (which waits graceMs before it
   * republishes anything), not on any event's path, and a statement per event was a
   * fifth of the relay's database round trips.
   */
  private async gatherMarks(): Promise<void> {
    const delay = this.options.markDelayMs ?? 50;
    if (delay > 0 && !this.stopped) await new Promise((r) => setTimeout(r, delay));
  }

  /** Publishes one row (counted once JetStream has it); with tracing, in a producer span continuing the row's trace. */
  private async publish(id: string, subject: string, envelope: EventEnvelope): Promise<void> {
    const { bus } = this.options;
    const options = { msgID: id, expect: { streamName: bus.stream(streamOf(subject)) } };
    if (!tracingEnabled()) {
      await bus.js.publish(bus.subject(subject), JSON.stringify(envelope), options);
    } else {
      await inSpan(
        bus.service,
        `publish ${subject}`,
        { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject, 'messaging.message.id': id } },
        () => bus.js.publish(bus.subject(subject), JSON.stringify(envelope), { ...options, headers: traceHeaders() }),
        extractTraceContext((key) => envelope.trace?.[key]),
      );
    }
    this.metrics.published(envelope);
  }

  /** Marks what was published, many ids per statement, until nothing is waiting. */
  private async markPublished(): Promise<void> {
    const knex = this.options.orm.em.getConnection().getKnex();
    try {
      await this.gatherMarks();
      while (this.toMark.length > 0) {
        const ids = this.toMark.splice(0, 1000);
        await knex.raw('update outbox set published_at = now() where id = any(?)', [ids]).catch((err: unknown) => {
          // Unmarked rows are re-published by the sweeper and dropped by JetStream as duplicates.
          this.options.logger.warn('could not mark outbox rows published', { err });
        });
      }
    } finally {
      this.marking = null;
    }
  }

  /** Publishes every row unpublished for longer than graceMs; throws (leaving rows) if NATS fails. */
  async drain(graceMs = 0): Promise<void> {
    const batchSize = this.options.batchSize ?? 200;
    for (;;) {
      // Plain knex, not em.transactional: the relay's own commits must not reach the commit hook.
      const knex = this.options.orm.em.getConnection().getKnex();
      const count = await knex.transaction(async (trx) => {
        const { rows } = (await trx.raw(
          `select id, subject, envelope from outbox
            where published_at is null and created_at < now() - (? * interval '1 millisecond')
            order by id limit ? for update skip locked`,
          [graceMs, batchSize],
        )) as { rows: Array<{ id: string; subject: string; envelope: EventEnvelope }> };
        if (rows.length === 0) return 0;
        await Promise.all(rows.map((row) => this.publish(row.id, row.subject, row.envelope)));
        await trx.raw('update outbox set published_at = now() where id = any(?)', [rows.map((r) => r.id)]);
        return rows.length;
      });
      if (count < batchSize) return;
    }
  }

  async stop(): Promise<void> {
    // Ends the ticks at once (so `stopped` holds from here on), then waits for the sweep.
    const sweepsDone = this.sweeps.stop();
    this.unscrape?.();
    const events = this.options.orm.em.getEventManager();
    if (relayOf.get(events) === this) relayOf.delete(events);
    await Promise.allSettled([...this.inFlight]);
    await sweepsDone;
    await this.marking;
  }
}
