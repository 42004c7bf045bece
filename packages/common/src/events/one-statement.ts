import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { uuidv7 } from '../ids';
import { traceCarrier } from '../tracing';
import { eventContracts, type EventEnvelope, type Payload, type Subject } from './contracts';

/** SQL text with `?` placeholders and their values, composable by the `sql` tag. */
export interface Sql {
  readonly text: string;
  readonly params: readonly unknown[];
}

const SQL = Symbol('sql');
type Fragment = Sql & { [SQL]: true };
const isFragment = (value: unknown): value is Fragment => typeof value === 'object' && value !== null && SQL in value;

/**
 * Tagged template for one statement built from parts: an interpolated value becomes a
 * `?` parameter, an interpolated `sql` fragment is spliced in with its own parameters.
 * Nothing is ever pasted into the text as a value, so composing steps cannot inject SQL.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  let text = strings[0];
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (isFragment(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[i + 1];
  });
  return { text, params, [SQL]: true };
}

/** What a one-statement step gets from the consumer. */
export interface StepContext {
  /** The durable consumer's name: the inbox row's `consumer`. */
  readonly consumer: string;
  /** Runs one statement on its own (autocommit: the statement is the transaction). */
  run<T>(statement: Sql): Promise<T[]>;
}

/**
 * The common case of a saga step as ONE statement: the inbox row, the state change and
 * the outbox rows of what it announces, gated on a condition the statement checks under
 * its own row locks, so all of it commits together or none of it does.
 *
 * Returns the envelopes it wrote (possibly none) when it applied, or null when it did
 * not (a duplicate, an event that no longer applies, anything unusual): the consumer
 * then runs the subscription's full handler in a transaction, which decides as always.
 * A step must therefore write nothing unless it applies in full.
 *
 * Why: an event handled in a transaction costs six round trips to PostgreSQL (begin,
 * inbox, read, write, outbox, commit); on a busy saga, those round trips are most of
 * the CPU of every process involved (docs/performance.md).
 */
export type OneStatementStep<S extends Subject> = (ctx: StepContext, event: EventEnvelope<S>) => Promise<EventEnvelope[] | null>;

/**
 * The inbox row, once for each row of `gate` (a CTE name, or any FROM item yielding one
 * row when the step applies); use it as a CTE and gate every other write on it.
 */
export function inboxInsert(ctx: StepContext, event: EventEnvelope, gate: Sql): Fragment {
  return sql`insert into processed_events (event_id, consumer, subject)
    select ${event.id}::uuid, ${ctx.consumer}, ${event.subject} from ${gate}
    on conflict do nothing returning event_id`;
}

/**
 * An outbox row announcing `subject` once for each row of `source`; returns the envelope.
 * The payload is either known here (typed by the contract) or built by a jsonb
 * expression that reads `source`'s columns; either way it is validated where every event
 * is, on receipt.
 */
export function outboxInsert<S extends Subject>(subject: S, source: Sql, payload: Payload<S> | Fragment): Fragment {
  const data = isFragment(payload) ? payload : sql`${JSON.stringify(payload)}::jsonb`;
  const id = uuidv7();
  const trace = traceCarrier();
  const head = { id, subject, version: eventContracts[subject].version, occurredAt: new Date().toISOString(), ...(trace ? { trace } : {}) };
  return sql`insert into outbox (id, subject, envelope)
    select ${id}::uuid, ${subject}, ${JSON.stringify(head)}::jsonb || jsonb_build_object('data', ${data}) from ${source}
    returning envelope`;
}

interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** The envelopes an outboxInsert CTE named `cte` wrote, as one jsonb array (empty if none). */
export function envelopesOf(cte: Sql): Fragment {
  return sql`(select coalesce(jsonb_agg(envelope), '[]'::jsonb) from ${cte})`;
}

/** The row a step's statement selects: whether it applied, and what it announced (envelopesOf). */
export interface StepRow {
  applied: number;
  events: EventEnvelope[];
}

/** A step's answer from its row: the envelopes when it applied, null when the handler must decide. */
export const stepOutcome = (row: StepRow): EventEnvelope[] | null => (row.applied === 1 ? row.events : null);

/** Prepared-statement names and `$n` texts by step text: one entry per distinct statement. */
const preparedStatements = new Map<string, { name: string; text: string }>();

function prepare(text: string): { name: string; text: string } {
  let prepared = preparedStatements.get(text);
  if (!prepared) {
    let n = 0;
    // `?` only ever appears as a placeholder: this SQL is ours and uses no jsonb ? operator.
    prepared = { name: `sg_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text: text.replace(/\?/g, () => `$${++n}`) };
    preparedStatements.set(text, prepared);
  }
  return prepared;
}

/**
 * Runs `sql` statements as named prepared statements, on the pool (autocommit) or inside
 * a transaction (its connection): a statement's text is the same for every event or
 * checkout, so PostgreSQL parses and plans it once per connection instead of every time
 * (these CTEs cost more to plan than to run). Counted like every other statement (the
 * `query` event db.ts listens to).
 */
let preparedCalls = 0;

export function preparedRunner(db: Knex | Knex.Transaction): StepContext['run'] {
  return async <T>(statement: Sql): Promise<T[]> => {
    const { name, text } = prepare(statement.text);
    // As knex's own statements do, so counters and SQL spans (db-metrics.ts) see these too.
    const query = { sql: text, __knexQueryUid: `sg-${(preparedCalls += 1)}` };
    db.client.emit('query', query);
    let connection: PgConnection;
    try {
      connection = (await db.client.acquireConnection()) as PgConnection;
    } catch (err) {
      db.client.emit('query-error', err, query);
      throw err;
    }
    try {
      const { rows } = await connection.query({ name, text, values: [...statement.params] });
      db.client.emit('query-response', rows, query);
      return rows as T[];
    } catch (err) {
      db.client.emit('query-error', err, query);
      throw err;
    } finally {
      await db.client.releaseConnection(connection);
    }
  };
}
