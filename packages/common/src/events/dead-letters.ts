import type { EventBus } from './bus';
import { streams } from './contracts';

/** Headers that travel with a dead letter: where it came from and why it failed. */
export const DEAD_LETTER_HEADERS = {
  subject: 'Storegraph-Subject',
  consumer: 'Storegraph-Consumer',
  stream: 'Storegraph-Stream',
  sequence: 'Storegraph-Sequence',
  deliveries: 'Storegraph-Deliveries',
  error: 'Storegraph-Error',
} as const;

export function deadLetterSubject(consumer: string, subject: string): string {
  return `dlq.${consumer}.${subject}`;
}

export interface DeadLetter {
  /** Sequence in the dead-letter stream: the id an operator replays by. */
  id: number;
  consumer: string;
  subject: string;
  eventId: string | null;
  deliveries: number;
  error: string;
  at: Date;
  data: string;
}

/** Lists the dead letters still parked (oldest first). */
export async function listDeadLetters(bus: EventBus, limit = 1000): Promise<DeadLetter[]> {
  const stream = bus.stream(streams.deadLetters.name);
  const info = await bus.jsm.streams.info(stream);
  const letters: DeadLetter[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && letters.length < limit; seq += 1) {
    const letter = await readDeadLetter(bus, seq);
    if (letter) letters.push(letter);
  }
  return letters;
}

export async function readDeadLetter(bus: EventBus, id: number): Promise<DeadLetter | null> {
  const stored = await bus.jsm.streams
    .getMessage(bus.stream(streams.deadLetters.name), { seq: id })
    .catch(() => null);
  if (!stored) return null;
  const header = (name: string) => stored.header?.get(name) ?? '';
  const data = new TextDecoder().decode(stored.data);
  let eventId: string | null = null;
  try {
    eventId = (JSON.parse(data) as { id?: string }).id ?? null;
  } catch {
    // malformed events are dead letters too
  }
  return {
    id,
    consumer: header(DEAD_LETTER_HEADERS.consumer),
    subject: header(DEAD_LETTER_HEADERS.subject),
    eventId,
    deliveries: Number(header(DEAD_LETTER_HEADERS.deliveries)),
    error: header(DEAD_LETTER_HEADERS.error),
    at: stored.time,
    data,
  };
}

/**
 * Republishes a dead letter to its original subject and removes it from the dead-letter
 * stream. Consumers that already applied the event skip it (their inbox has its id); the
 * one that failed applies it now. A fresh Nats-Msg-Id keeps JetStream's de-duplication
 * from dropping the replay.
 */
export async function replayDeadLetter(bus: EventBus, id: number): Promise<DeadLetter> {
  const letter = await readDeadLetter(bus, id);
  if (!letter) throw new Error(`No dead letter ${id}`);
  await bus.js.publish(bus.subject(letter.subject), letter.data, { msgID: `replay:${id}:${Date.now()}` });
  await bus.jsm.streams.deleteMessage(bus.stream(streams.deadLetters.name), id);
  return letter;
}
