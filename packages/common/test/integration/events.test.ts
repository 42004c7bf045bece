import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Entity, PrimaryKey } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import {
  createLogger,
  emit,
  EventBus,
  EventConsumer,
  eventTablesSql,
  listDeadLetters,
  on,
  openDatabase,
  OutboxRelay,
  replayDeadLetter,
  type Database,
  type EventEnvelope,
} from '../../src';
import { deleteStreams, testDatabaseUrl, testNamespace, waitFor } from '../../src/testing';

class EventTables extends Migration {
  override async up(): Promise<void> {
    for (const sql of eventTablesSql) this.addSql(sql);
  }
}

/** MikroORM wants one entity; the backbone itself works on plain tables. */
@Entity({ tableName: 'outbox' })
class OutboxRow {
  @PrimaryKey({ type: 'uuid' })
  id!: string;
}

const logger = createLogger('events-test', 'error');

describe('event backbone (outbox -> JetStream -> inbox)', () => {
  let db: Database;
  let bus: EventBus;

  beforeAll(async () => {
    db = await openDatabase({
      url: testDatabaseUrl('common_events'),
      entities: [OutboxRow],
      migrations: [{ name: 'EventTables', class: EventTables }],
    });
    bus = await EventBus.connect({ url: 'nats://127.0.0.1:4222', name: 'events-test', namespace: testNamespace(), logger });
    await bus.ensureStreams();
  });

  afterAll(async () => {
    if (bus) {
      await deleteStreams(bus);
      await bus.close();
    }
    await db?.close();
  });

  const expire = async (tx: EntityManager, orderId: string) => emit(tx, 'catalog.reservation.expired', { orderId });

  /** A dead-lettered event is done with: JetStream holds nothing unacknowledged for the consumer. */
  const expireNotPending = (name: string) =>
    waitFor(async () => (await bus.jsm.consumers.info(bus.stream('CATALOG'), name)).num_ack_pending === 0, {
      what: 'the dead-lettered event to leave the pending list',
    });

  it('publishes after commit and applies each event once, even when delivered twice', async () => {
    const relay = new OutboxRelay({ orm: db.orm, bus, logger, sweepIntervalMs: 100 });
    const seen: string[] = [];
    const consumer = new EventConsumer({
      bus,
      orm: db.orm,
      logger,
      name: `once-${randomUUID().slice(0, 8)}`,
      subscriptions: [on('catalog.reservation.expired', async (_tx, event) => void seen.push(event.data.orderId))],
    });
    relay.start();
    await consumer.start();
    try {
      const orderId = randomUUID();
      const eventId = await db.orm.em.fork().transactional((tx) => expire(tx, orderId));
      await waitFor(() => seen.includes(orderId), { what: 'the event to be applied' });

      // The same envelope again under another Nats-Msg-Id: JetStream stores it, the inbox drops it.
      const [row] = await db.orm.em.fork().execute<Array<{ envelope: EventEnvelope }>>(
        'select envelope from outbox where id = ?',
        [eventId],
      );
      await bus.js.publish(bus.subject('catalog.reservation.expired'), JSON.stringify(row.envelope), { msgID: 'dup-' + eventId });
      await waitFor(() => consumer.counts.duplicate >= 1, { what: 'the duplicate to be skipped' });
      expect(seen.filter((id) => id === orderId)).toHaveLength(1);
    } finally {
      await consumer.stop();
      await relay.stop();
    }
  });

  it('a rolled back transaction emits nothing', async () => {
    const orderId = randomUUID();
    await expect(
      db.orm.em.fork().transactional(async (tx) => {
        await expire(tx, orderId);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await db.orm.em.fork().execute(`select 1 from outbox where envelope->'data'->>'orderId' = ?`, [orderId]);
    expect(rows).toHaveLength(0);
  });

  it('the sweeper publishes rows committed while no relay ran', async () => {
    const orderId = randomUUID();
    // No relay is running: as if the process died right after the commit.
    await db.orm.em.fork().transactional((tx) => expire(tx, orderId));
    const seen: string[] = [];
    const consumer = new EventConsumer({
      bus,
      orm: db.orm,
      logger,
      name: `sweep-${randomUUID().slice(0, 8)}`,
      subscriptions: [on('catalog.reservation.expired', async (_tx, event) => void seen.push(event.data.orderId))],
    });
    await consumer.start();
    const relay = new OutboxRelay({ orm: db.orm, bus, logger, sweepIntervalMs: 100 });
    relay.start();
    try {
      await waitFor(() => seen.includes(orderId), { what: 'the swept event' });
      await waitFor(
        async () => {
          const [row] = await db.orm.em.fork().execute<Array<{ published: boolean }>>(
            `select published_at is not null as published from outbox where envelope->'data'->>'orderId' = ?`,
            [orderId],
          );
          return row.published;
        },
        { what: 'the row to be marked published' },
      );
    } finally {
      await consumer.stop();
      await relay.stop();
    }
  });

  it('dead-letters an event whose handler always throws, after bounded retries, and replays it', async () => {
    let fixed = false;
    let attempts = 0;
    const orderId = randomUUID();
    const applied: string[] = [];
    const name = `dlq-${randomUUID().slice(0, 8)}`;
    const consumer = new EventConsumer({
      bus,
      orm: db.orm,
      logger,
      name,
      maxDeliveries: 3,
      backoffMs: [50],
      subscriptions: [
        on('catalog.reservation.expired', async (_tx, event) => {
          // A new durable reads the stream from its start: only this test's event counts.
          if (event.data.orderId !== orderId) return;
          attempts += 1;
          if (!fixed) throw new Error('handler is broken');
          applied.push(event.data.orderId);
        }),
      ],
    });
    const relay = new OutboxRelay({ orm: db.orm, bus, logger, sweepIntervalMs: 100 });
    relay.start();
    await consumer.start();
    try {
      await db.orm.em.fork().transactional((tx) => expire(tx, orderId));
      const letter = await waitFor(
        async () => (await listDeadLetters(bus)).find((l) => l.consumer === name && l.data.includes(orderId)),
        { what: 'the dead letter' },
      );
      expect(attempts).toBe(3);
      expect(letter.subject).toBe('catalog.reservation.expired');
      expect(letter.error).toContain('handler is broken');
      expect(applied).toEqual([]);
      // Terminated, not waiting for its ack wait to run out and come back.
      await expireNotPending(name);

      fixed = true;
      await replayDeadLetter(bus, letter.id);
      await waitFor(() => applied.includes(orderId), { what: 'the replayed event' });
      expect((await listDeadLetters(bus)).some((l) => l.id === letter.id)).toBe(false);
    } finally {
      await consumer.stop();
      await relay.stop();
    }
  });

  it('dead-letters a malformed event at once', async () => {
    const name = `bad-${randomUUID().slice(0, 8)}`;
    const consumer = new EventConsumer({
      bus,
      orm: db.orm,
      logger,
      name,
      subscriptions: [on('catalog.reservation.expired', async () => undefined)],
    });
    await consumer.start();
    try {
      const bad = { id: randomUUID(), subject: 'catalog.reservation.expired', version: 1, occurredAt: new Date().toISOString(), data: { orderId: 'nope' } };
      await bus.js.publish(bus.subject('catalog.reservation.expired'), JSON.stringify(bad), { msgID: bad.id });
      const letter = await waitFor(async () => (await listDeadLetters(bus)).find((l) => l.consumer === name), {
        what: 'the dead letter',
      });
      expect(letter.error).toContain('orderId');
      expect(letter.deliveries).toBe(1);
      await expireNotPending(name);
    } finally {
      await consumer.stop();
    }
  });
});
