/**
 * Operator's view of the dead-letter stream:
 *   npm run dlq -- list            every parked event: id, consumer, subject, attempts, error
 *   npm run dlq -- replay <id>     republish one to its subject and remove it from the stream
 * Reads NATS_URL and NATS_NAMESPACE like the services do.
 */
import { createLogger, EnvReader, EventBus, listDeadLetters, readInfra, replayDeadLetter } from '@storegraph/common';

async function main(argv: string[]): Promise<number> {
  const [command, id] = argv;
  const env = new EnvReader();
  const infra = readInfra(env);
  env.done();
  const bus = await EventBus.connect({
    url: infra.natsUrl,
    name: 'dlq-cli',
    namespace: infra.natsNamespace,
    logger: createLogger('dlq', 'warn'),
  });
  try {
    await bus.ensureStreams();
    if (command === 'list') {
      const letters = await listDeadLetters(bus);
      if (letters.length === 0) console.log('No dead letters.');
      for (const l of letters) {
        console.log(
          `${l.id}\t${l.at.toISOString()}\t${l.consumer}\t${l.subject}\tevent ${l.eventId ?? '?'}\t${l.deliveries} attempts\t${l.error}`,
        );
      }
      return 0;
    }
    if (command === 'replay' && id && /^\d+$/.test(id)) {
      const letter = await replayDeadLetter(bus, Number(id));
      console.log(`Replayed dead letter ${id} (${letter.subject}, event ${letter.eventId ?? '?'}) for ${letter.consumer}.`);
      return 0;
    }
    console.error('usage: npm run dlq -- list | npm run dlq -- replay <id>');
    return 2;
  } finally {
    await bus.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
