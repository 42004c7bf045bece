import { uuidv7 } from '../ids';
import { eventContracts, type EventEnvelope, type Subject } from './contracts';

/** SQL text with `?` placeholders and their values, composable by the `sql` tag. */
export interface Sql {
  readonly text: string;
  readonly params: readonly unknown[];
}

const SQL = Symbol('sql');
type Fragment = Sql & { [SQL]: true };

/**
 * Tagged template for one statement built from parts: an interpolated value becomes a
 * `?` parameter, an interpolated `sql` fragment is spliced in with its own parameters.
 * Nothing is ever pasted into the text as a value, so composing steps cannot inject SQL.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  let text = strings[0];
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (typeof value === 'object' && value !== null && SQL in value) {
      text += (value as Fragment).text;
      params.push(...(value as Fragment).params);
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
 * An outbox row announcing `subject` once for each row of `source`, its payload built by
 * the jsonb expression `data` (which may read `source`'s columns); returns the envelope.
 * The payload is validated where every event is, on receipt.
 */
export function outboxInsert(subject: Subject, source: Sql, data: Sql): Fragment {
  const id = uuidv7();
  const head = { id, subject, version: eventContracts[subject].version, occurredAt: new Date().toISOString() };
  return sql`insert into outbox (id, subject, envelope)
    select ${id}::uuid, ${subject}, ${JSON.stringify(head)}::jsonb || jsonb_build_object('data', ${data}) from ${source}
    returning envelope`;
}
