import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { requestScope } from '../db';
import { uuidv7 } from '../ids';
import type { Logger } from '../logger';
import type { EventBus } from './bus';
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
  await tx.execute('insert into outbox (id, subject, envelope) values (?, ?, ?)', [
    envelope.id,
    subject,
    JSON.stringify(envelope),
  ]);
  return envelope.id;
}

export interface OutboxRelayOptions {
  orm: MikroORM;
  bus: EventBus;
  logger: Logger;
  /** How often the sweeper looks for rows the relay did not publish. */
  sweepIntervalMs?: number;
  batchSize?: number;
}

/**
 * Publishes outbox rows to JetStream. `kick()` runs right after every commit (the ORM's
 * afterTransactionCommit hook), the sweeper every sweepIntervalMs catches what a kick
 * missed (NATS down, a crash between commit and publish). Rows are claimed with
 * SKIP LOCKED, so several instances share the work; the row id is the Nats-Msg-Id, so a
 * row published twice (crash after publish, before marking) is stored once.
 */
export class OutboxRelay {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private published = 0;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    this.options.orm.em.getEventManager().registerSubscriber({
      afterTransactionCommit: async () => this.kick(),
    });
    this.timer = setInterval(() => this.kick(), this.options.sweepIntervalMs ?? 1000);
    this.kick();
  }

  /** Events published so far by this relay (for /metrics and tests). */
  get publishedCount(): number {
    return this.published;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // A kick often comes from a request's commit; the drain is background work, not that request's.
    this.running = requestScope
      .exit(() => this.drain())
      .catch((err: unknown) => this.options.logger.warn('outbox relay could not publish; the sweeper retries', { err }))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Publishes until the outbox is empty; throws (leaving rows unpublished) if NATS fails. */
  async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 200;
    for (;;) {
      // Plain knex, not em.transactional: the relay's own commits must not kick the relay.
      const knex = this.options.orm.em.getConnection().getKnex();
      const count = await knex.transaction(async (trx) => {
        const { rows } = (await trx.raw(
          'select id, subject, envelope from outbox where published_at is null order by id limit ? for update skip locked',
          [batchSize],
        )) as { rows: Array<{ id: string; subject: string; envelope: unknown }> };
        if (rows.length === 0) return 0;
        const { bus } = this.options;
        await Promise.all(
          rows.map((row) =>
            bus.js.publish(bus.subject(row.subject), JSON.stringify(row.envelope), {
              msgID: row.id,
              expect: { streamName: bus.stream(streamOf(row.subject)) },
            }),
          ),
        );
        await trx.raw('update outbox set published_at = now() where id = any(?)', [rows.map((r) => r.id)]);
        return rows.length;
      });
      this.published += count;
      if (count < batchSize) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
