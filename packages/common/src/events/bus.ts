import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { Logger } from '../logger';
import { streams, type StreamName } from './contracts';

const SECOND_NS = 1_000_000_000;

/** NATS_URL names one server or, comma-separated, several nodes of a cluster (the client tries each). */
export function natsServers(url: string): string[] {
  return url.split(',').map((server) => server.trim()).filter(Boolean);
}

/**
 * The NATS side of the event backbone for one service: a connection that reconnects
 * forever, the JetStream handles, and names scoped by a namespace. The namespace prefixes
 * every subject and stream (`<ns>.orders.order.placed` in `<NS>_ORDERS`), so several
 * stacks or test runs can share one NATS server without seeing each other's events.
 */
export class EventBus {
  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly namespace: string,
    /** The service this connection belongs to (its metrics and spans). */
    readonly service: string,
  ) {}

  static async connect(options: { url: string; name: string; namespace: string; logger: Logger }): Promise<EventBus> {
    const nc = await connect({
      servers: natsServers(options.url),
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 3000,
      // Otherwise every request (each JetStream publish and ack) captures a stack trace
      // up front, only to decorate a timeout that rarely comes.
      noAsyncTraces: true,
    });
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect' || status.type === 'reconnect') {
          options.logger.warn(`nats ${status.type}`, { server: 'server' in status ? status.server : undefined });
        }
      }
    })();
    // Declarations (streams, consumers) are proposals to a cluster's meta leader; several
    // replicas starting at once on a busy machine can wait longer than a publish should.
    const jsm = await jetstreamManager(nc, { timeout: 15_000 });
    return new EventBus(nc, jetstream(nc, { timeout: 5000 }), jsm, options.namespace, options.name);
  }

  subject(subject: string): string {
    return `${this.namespace}.${subject}`;
  }

  /** The unprefixed subject of a message received on this bus. */
  localSubject(wireSubject: string): string {
    return wireSubject.startsWith(`${this.namespace}.`) ? wireSubject.slice(this.namespace.length + 1) : wireSubject;
  }

  stream(name: StreamName): string {
    return `${this.namespace.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${name}`;
  }

  /**
   * Declares every stream (file storage) idempotently: created when missing, else its
   * subjects and duplicate window brought to what is declared. `replicas`
   * (NATS_STREAM_REPLICAS, which the services pass) is how many JetStream servers keep each
   * stream, the dead letters too, and is applied to existing streams as well; consumers
   * inherit it. Above 1 NATS must be a JetStream cluster of at least as many nodes, else
   * declaring fails and the service does not start. Without it (the dlq CLI) existing
   * streams keep theirs and new ones get 1.
   */
  async ensureStreams(replicas?: number): Promise<void> {
    if (replicas !== undefined && replicas > 1 && !this.nc.info?.cluster) {
      // A single server refuses such a stream when it is created, but takes the count on an
      // update and keeps one copy all the same: say so before anything changes.
      throw new Error(`NATS_STREAM_REPLICAS=${replicas} needs a JetStream cluster of at least ${replicas} nodes; ${this.nc.getServer()} is a single server`);
    }
    for (const def of Object.values(streams)) {
      const name = this.stream(def.name);
      const config = {
        name,
        subjects: def.subjects.map((s) => this.subject(s)),
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        duplicate_window: 120 * SECOND_NS,
        max_age: 7 * 24 * 3600 * SECOND_NS,
        num_replicas: replicas ?? 1,
      };
      try {
        const current = (await this.jsm.streams.info(name)).config;
        const wanted = {
          subjects: config.subjects,
          duplicate_window: config.duplicate_window,
          ...(replicas === undefined ? {} : { num_replicas: replicas }),
        };
        // Each update is a proposal to the cluster's meta leader: replicas starting
        // together would queue them up for nothing, so only a change is sent.
        const same =
          JSON.stringify([...(current.subjects ?? [])].sort()) === JSON.stringify([...wanted.subjects].sort()) &&
          current.duplicate_window === wanted.duplicate_window &&
          (replicas === undefined || current.num_replicas === replicas);
        if (!same) await this.jsm.streams.update(name, wanted);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await this.jsm.streams.add(config).catch((addErr: unknown) => {
          // another instance created it meanwhile
          if (!String(addErr).includes('already in use')) throw addErr;
        });
      }
    }
  }

  /**
   * Declares a durable pull consumer on a stream, idempotently. With `filterSubject` the
   * server delivers only that subject of the stream (one subject: nats-server 2.9 has no
   * `filter_subjects`).
   */
  async ensureConsumer(stream: StreamName, durable: string, maxDeliver: number, filterSubject?: string): Promise<void> {
    const name = this.stream(stream);
    const filter = filterSubject ? { filter_subject: this.subject(filterSubject) } : {};
    const config = {
      ...filter,
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 30 * SECOND_NS,
      max_deliver: maxDeliver,
      max_ack_pending: 1000,
    };
    try {
      await this.jsm.consumers.info(name, durable);
      await this.jsm.consumers.update(name, durable, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
        ...filter,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.jsm.consumers.add(name, config);
    }
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch(() => this.nc.close());
  }
}

function isNotFound(err: unknown): boolean {
  return /not found/i.test(String(err instanceof Error ? err.message : err));
}
