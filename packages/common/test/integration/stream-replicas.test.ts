/**
 * NATS_STREAM_REPLICAS: the streams (dead letters included) are declared with the replica
 * count the services are given. The local nats-server is a single node, so 1 is what it can
 * keep; asking it for 3 is refused by the server and changes nothing, which is what a
 * deployment that sets 3 against a one-node NATS sees at start (the service does not start).
 */
import { createLogger, EventBus, EnvReader, readSubgraphConfig } from '../../src';
import { streams } from '../../src/events/contracts';
import { deleteStreams, testNamespace } from '../../src/testing';

const logger = createLogger('stream-replicas-test', 'error');

describe('stream replicas', () => {
  let bus: EventBus;

  beforeAll(async () => {
    bus = await EventBus.connect({ url: 'nats://127.0.0.1:4222', name: 'stream-replicas-test', namespace: testNamespace(), logger });
  });

  afterAll(async () => {
    if (bus) {
      await deleteStreams(bus);
      await bus.close();
    }
  });

  const replicas = async () =>
    Promise.all(Object.values(streams).map(async (def) => (await bus.jsm.streams.info(bus.stream(def.name))).config.num_replicas));
  /** One copy of each of the five streams (ORDERS, CATALOG, PAYMENTS, USERS, DEAD_LETTERS). */
  const ONE_EACH = [1, 1, 1, 1, 1];

  it('declares every stream with the replicas asked, and a count the server cannot keep changes nothing', async () => {
    await bus.ensureStreams(1);
    expect(await replicas()).toEqual(ONE_EACH);
    await expect(bus.ensureStreams(3)).rejects.toThrow(/replica/i);
    expect(await replicas()).toEqual(ONE_EACH);
    // Without a count (the dlq CLI) existing streams keep theirs.
    await bus.ensureStreams();
    expect(await replicas()).toEqual(ONE_EACH);
  });

  it('reads NATS_STREAM_REPLICAS, 1 unless set, and refuses less than 1', () => {
    expect(readSubgraphConfig(new EnvReader({}), 'orders', 4003).natsStreamReplicas).toBe(1);
    expect(readSubgraphConfig(new EnvReader({ NATS_STREAM_REPLICAS: '3' }), 'orders', 4003).natsStreamReplicas).toBe(3);
    const env = new EnvReader({ NATS_STREAM_REPLICAS: '0' });
    readSubgraphConfig(env, 'orders', 4003);
    expect(() => env.done()).toThrow('NATS_STREAM_REPLICAS must be an integer >= 1 (got "0")');
  });
});
