import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { logScope } from '../log-context';
import type { Logger } from '../logger';
import { inSpan, SpanKind, tracingEnabled } from '../tracing';
import { ConsumerMetrics } from './consumer-metrics';
import { traceContextOf } from './trace-headers';
import type { EventBus } from './bus';
import { eventContracts, streamOf, type EventEnvelope, type StreamName, type Subject } from './contracts';
import { deadLetterSubject, DEAD_LETTER_HEADERS } from './dead-letters';
import { preparedRunner, type OneStatementStep, type StepContext } from './one-statement';
import { ValidationError } from './validate';

/** Applies one event's effect inside the transaction that also records it as processed. */
export type EventHandler<S extends Subject> = (tx: EntityManager, event: EventEnvelope<S>) => Promise<void>;

export interface Subscription<S extends Subject = Subject> {
  subject: S;
  handler: EventHandler<S>;
  /** The common case as one statement, tried first; the handler decides whenever it does not apply. */
  step?: OneStatementStep<S>;
}

/** One manifest entry; the helper keeps subject, handler and step types tied together. */
export function on<S extends Subject>(subject: S, handler: EventHandler<S>, step?: OneStatementStep<S>): Subscription {
  return {
    subject,
    handler: handler as unknown as EventHandler<Subject>,
    step: step as unknown as OneStatementStep<Subject> | undefined,
  };
}

export interface EventConsumerOptions {
  bus: EventBus;
  orm: MikroORM;
  logger: Logger;
  /** Durable consumer name: the consuming subgraph. */
  name: string;
  subscriptions: Subscription[];
  /** Attempts before a message goes to the dead-letter stream. */
  maxDeliveries?: number;
  /** Delay before redelivery after attempt n (1-based); the last value repeats. */
  backoffMs?: number[];
  /** Messages handled at once per stream. */
  concurrency?: number;
  /** Hands the envelopes a one-statement step committed to the outbox relay, to publish now. */
  committed?: (envelopes: EventEnvelope[]) => void;
  /**
   * Ask the server for only the subscribed subject of a stream it reads one subject of, so
   * a consumer of a rare event (users' audit entries) is not sent a busy stream's every
   * event to ignore. Off for the saga's consumers, whose durables predate it.
   */
  filtered?: boolean;
}

const ACK_GATHER_MS = 5;
/** How long the database may take to answer `select 1` before it counts as down. */
const DATABASE_PROBE_MS = 2000;
/** Pauses between probes while an event is held for the database (well inside the 30 s ack wait). */
const HOLD_FIRST_PAUSE_MS = 250;
const HOLD_MAX_PAUSE_MS = 5000;

export type Outcome = 'applied' | 'duplicate' | 'ignored' | 'retry' | 'dead-letter';

/**
 * A durable pull consumer per stream the subgraph reads. Each message: validate, then in
 * ONE transaction insert its id into processed_events and run the handler; ack after the
 * commit. A redelivered event finds its id already there and is acked without effect.
 * A failing handler is retried with backoff up to maxDeliveries, then the message is
 * copied to the dead-letter stream and terminated. A failure while the database does
 * not answer is not counted: the message is held until it answers, then handled again.
 * The loops outlive NATS restarts (the client reconnects and the iterator is re-opened)
 * and stop cleanly.
 */
export class EventConsumer {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly stepContext: StepContext;
  private readonly unacked: JsMsg[] = [];
  private ackTimer: NodeJS.Timeout | null = null;
  private steps = 0;
  private readonly loops: Promise<void>[] = [];
  private readonly open = new Set<ConsumerMessages>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private readonly maxDeliveries: number;
  private readonly backoffMs: number[];
  private readonly outcomes: Record<Outcome, number> = { applied: 0, duplicate: 0, ignored: 0, retry: 0, 'dead-letter': 0 };

  private readonly metrics: ConsumerMetrics;
  private unscrape: (() => void) | null = null;

  constructor(private readonly options: EventConsumerOptions) {
    this.metrics = new ConsumerMetrics(options.name);
    for (const sub of options.subscriptions) this.subscriptions.set(sub.subject, sub);
    this.stepContext = { consumer: options.name, run: preparedRunner(options.orm.em.getConnection().getKnex()) };
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.backoffMs = options.backoffMs ?? [500, 2000, 5000, 15000];
  }

  get counts(): Readonly<Record<Outcome, number>> {
    return this.outcomes;
  }

  /** Of the applied events, those a one-statement step applied (no handler transaction). */
  get stepsApplied(): number {
    return this.steps;
  }

  /** The streams this consumer reads: the owners of its subjects. */
  get streamNames(): StreamName[] {
    return [...new Set(this.options.subscriptions.map((s) => streamOf(s.subject)))];
  }

  async start(): Promise<void> {
    for (const stream of this.streamNames) {
      // The server's own bound sits above ours, for a handler that kills the process.
      const subjects = this.options.subscriptions.filter((s) => streamOf(s.subject) === stream).map((s) => s.subject);
      const filter = this.options.filtered && subjects.length === 1 ? subjects[0] : undefined;
      await this.options.bus.ensureConsumer(stream, this.options.name, this.maxDeliveries + 3, filter);
      this.loops.push(this.loop(stream));
    }
    this.unscrape = this.metrics.watchLag(this.options.bus, this.streamNames);
  }

  private async loop(stream: StreamName): Promise<void> {
    const { bus, logger } = this.options;
    const concurrency = this.options.concurrency ?? 16;
    while (!this.stopped) {
      let messages: ConsumerMessages | null = null;
      try {
        const consumer = await bus.js.consumers.get(bus.stream(stream), this.options.name);
        messages = await consumer.consume({ max_messages: concurrency * 4 });
        this.open.add(messages);
        for await (const msg of messages) {
          while (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
          const work = this.handle(msg).then(
            (outcome) => {
              this.outcomes[outcome] += 1;
            },
            (err: unknown) => logger.error('event handling failed unexpectedly', { err }),
          );
          this.inFlight.add(work);
          void work.finally(() => this.inFlight.delete(work));
        }
      } catch (err) {
        if (!this.stopped) logger.warn('consumer loop interrupted; reopening', { stream, err });
      } finally {
        if (messages) this.open.delete(messages);
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, 500));
    }
  }

  /**
   * Handles one delivery; exported behaviour is the Outcome, used by tests and metrics.
   * Its log lines carry the event's id as request_id; with tracing it runs in a consumer
   * span, child of the relay's publish span (from the message headers).
   */
  async handle(msg: JsMsg): Promise<Outcome> {
    const subject = this.options.bus.localSubject(msg.subject);
    const start = process.hrtime.bigint();
    if (msg.info.deliveryCount > 1) this.metrics.redelivered(subject);
    // Read only when a line is logged: decoding the headers is work most events need not do.
    const scope = {
      get requestId() {
        return msg.headers?.get('Nats-Msg-Id') || `${msg.info.stream}:${msg.seq}`;
      },
    };
    const outcome = await logScope.run(scope, () =>
      tracingEnabled()
        ? inSpan(
            this.options.name,
            `consume ${subject}`,
            {
              kind: SpanKind.CONSUMER,
              attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject, 'messaging.consumer.group.name': this.options.name },
            },
            async (span) => {
              const result = await this.apply(msg);
              span?.setAttribute('storegraph.outcome', result);
              return result;
            },
            traceContextOf(msg.headers),
          )
        : this.apply(msg),
    );
    this.metrics.handled(subject, outcome, start);
    return outcome;
  }

  private async apply(msg: JsMsg): Promise<Outcome> {
    const { bus, logger, orm, name } = this.options;
    const subject = bus.localSubject(msg.subject);
    const subscription = this.subscriptions.get(subject);
    if (!subscription) {
      // Streams hold every subject of their owner; this subgraph does not need this one.
      this.ack(msg);
      return 'ignored';
    }
    let envelope: EventEnvelope<Subject>;
    try {
      envelope = parseEnvelope(subject as Subject, msg.data);
    } catch (err) {
      // A malformed event will never succeed: straight to the dead letters.
      return this.deadLetter(msg, subject, err);
    }
    try {
      if (subscription.step && (await this.tryStep(subscription.step, envelope))) {
        this.ack(msg);
        return 'applied';
      }
      const applied = await orm.em.fork().transactional(async (tx) => {
        const inserted: unknown[] = await tx.execute(
          'insert into processed_events (event_id, consumer, subject) values (?, ?, ?) on conflict do nothing returning event_id',
          [envelope.id, name, subject],
        );
        if (inserted.length === 0) return false;
        await subscription.handler(tx, envelope);
        return true;
      });
      this.ack(msg);
      return applied ? 'applied' : 'duplicate';
    } catch (err) {
      if (!this.stopped && !(await this.databaseAnswers())) {
        // The database is down: not this event's fault, so it spends none of its attempts
        // (a restart longer than the backoff would otherwise dead-letter every event in
        // flight and strand their orders). Held here, then handled again.
        if (!(await this.holdUntilDatabaseAnswers(msg, subject))) return 'retry';
        return this.apply(msg);
      }
      const attempt = msg.info.deliveryCount;
      if (attempt >= this.maxDeliveries) return this.deadLetter(msg, subject, err);
      const delay = this.backoffMs[Math.min(attempt - 1, this.backoffMs.length - 1)];
      logger.warn('event handler failed; will retry', { subject, eventId: envelope.id, attempt, delay, err });
      msg.nak(delay);
      return 'retry';
    }
  }

  /**
   * Acks leave together, ACK_GATHER_MS after the first: one write to NATS for many
   * instead of one each (the effect is already committed; an ack lost in a crash only
   * means a redelivery, which the inbox absorbs).
   */
  private ack(msg: JsMsg): void {
    this.unacked.push(msg);
    this.ackTimer ??= setTimeout(() => this.flushAcks(), ACK_GATHER_MS);
  }

  private flushAcks(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    for (const msg of this.unacked.splice(0)) msg.ack();
  }

  /** Whether the database answers a trivial query within DATABASE_PROBE_MS. */
  private async databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), DATABASE_PROBE_MS);
    });
    try {
      return await Promise.race([
        this.options.orm.em
          .getConnection()
          .execute('select 1')
          .then(
            () => true,
            () => false,
          ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Keeps a delivery while the database is down: tells JetStream it is being worked on
   * (so its ack wait does not run out and send it again) and probes the database with a
   * growing pause. True once the database answers; false when the consumer stops first,
   * leaving the message unacknowledged for the next process.
   */
  private async holdUntilDatabaseAnswers(msg: JsMsg, subject: string): Promise<boolean> {
    this.options.logger.warn('database unavailable; holding the event until it answers', { subject, seq: msg.seq });
    let pauseMs = HOLD_FIRST_PAUSE_MS;
    while (!this.stopped) {
      msg.working();
      await new Promise((r) => setTimeout(r, pauseMs));
      if (this.stopped) break;
      if (await this.databaseAnswers()) return true;
      pauseMs = Math.min(pauseMs * 2, HOLD_MAX_PAUSE_MS);
    }
    return false;
  }

  /** True when the step applied (and committed); its events are then published at once. */
  private async tryStep(step: OneStatementStep<Subject>, envelope: EventEnvelope<Subject>): Promise<boolean> {
    const emitted = await step(this.stepContext, envelope);
    if (emitted === null) return false;
    this.steps += 1;
    if (emitted.length > 0) this.options.committed?.(emitted);
    return true;
  }

  private async deadLetter(msg: JsMsg, subject: string, err: unknown): Promise<Outcome> {
    const { bus, logger, name } = this.options;
    const h = natsHeaders();
    h.set(DEAD_LETTER_HEADERS.subject, subject);
    h.set(DEAD_LETTER_HEADERS.consumer, name);
    h.set(DEAD_LETTER_HEADERS.stream, msg.info.stream);
    h.set(DEAD_LETTER_HEADERS.sequence, String(msg.seq));
    h.set(DEAD_LETTER_HEADERS.deliveries, String(msg.info.deliveryCount));
    h.set(DEAD_LETTER_HEADERS.error, (err instanceof Error ? err.message : String(err)).slice(0, 1000));
    try {
      await bus.js.publish(bus.subject(deadLetterSubject(name, subject)), msg.data, {
        headers: h,
        msgID: `dlq:${name}:${msg.info.stream}:${msg.seq}`,
      });
    } catch (publishErr) {
      // Cannot park it: keep it in the stream and try again later.
      logger.error('could not dead-letter an event; will retry', { subject, err: publishErr });
      msg.nak(this.backoffMs[this.backoffMs.length - 1]);
      return 'retry';
    }
    logger.error('event dead-lettered', { subject, consumer: name, seq: msg.seq, err });
    // A plain +TERM: servers before 2.10 do not know "+TERM <reason>" and ignore it, so
    // the parked event came back every ack wait and was applied after all. The reason is
    // in the dead letter's headers.
    msg.term();
    return 'dead-letter';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unscrape?.();
    for (const messages of this.open) messages.stop();
    await Promise.allSettled([...this.inFlight]);
    this.flushAcks();
    await Promise.allSettled(this.loops);
  }
}

const utf8 = new TextDecoder();

export function parseEnvelope<S extends Subject>(subject: S, data: Uint8Array): EventEnvelope<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(data));
  } catch {
    throw new ValidationError('event is not JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw new ValidationError('event is not an object');
  const envelope = raw as Record<string, unknown>;
  const contract = eventContracts[subject];
  if (envelope.subject !== subject) throw new ValidationError(`envelope subject ${String(envelope.subject)} != ${subject}`);
  if (envelope.version !== contract.version) {
    throw new ValidationError(`${subject} version ${String(envelope.version)} is not the supported ${contract.version}`);
  }
  if (typeof envelope.id !== 'string' || typeof envelope.occurredAt !== 'string') {
    throw new ValidationError('envelope lacks id or occurredAt');
  }
  const payload = contract.payload(envelope.data, subject);
  return { id: envelope.id, subject, version: contract.version, occurredAt: envelope.occurredAt, data: payload } as EventEnvelope<S>;
}
