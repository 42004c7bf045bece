/**
 * Operator's view of the order emails users could not send after every retry:
 *   npm run emails -- list          counts by status, then every PARKED email: id, since, kind, order, attempts, last error
 *   npm run emails -- retry <id>    make a PARKED email due again, with a fresh count of attempts
 * Reads USERS_DATABASE_URL (or DATABASE_URL) like the users service does.
 */
import { EnvReader, readDatabaseUrl } from '@storegraph/common';
import { openEmailOutbox } from '@storegraph/users';

async function main(argv: string[]): Promise<number> {
  const [command, id] = argv;
  const env = new EnvReader();
  const url = readDatabaseUrl(env, 'users');
  env.done();
  if (!(command === 'list' || (command === 'retry' && id && /^[0-9a-f-]{36}$/i.test(id)))) {
    console.error('usage: npm run emails -- list | npm run emails -- retry <id>');
    return 2;
  }
  const { outbox, close } = await openEmailOutbox(url);
  try {
    if (command === 'list') {
      const counts = await outbox.counts();
      console.log(Object.entries(counts).map(([status, n]) => `${status} ${n}`).join('\t'));
      const parked = await outbox.list('PARKED');
      if (parked.length === 0) console.log('No parked emails.');
      for (const e of parked) {
        console.log(`${e.id}\t${e.createdAt.toISOString()}\t${e.kind}\torder ${e.orderId}\t${e.attempts} attempts\t${e.lastError ?? ''}`);
      }
      return 0;
    }
    if (await outbox.retryParked(id)) {
      console.log(`Email ${id} is due again; the users service sends it on its next round.`);
      return 0;
    }
    console.error(`No parked email ${id}.`);
    return 1;
  } finally {
    await close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
