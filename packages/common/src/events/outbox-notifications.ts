import { Client } from 'pg';
import type { Logger } from '../logger';
import type { EventEnvelope } from './contracts';
import type { OutboxRelay } from './outbox';

/** The channel a trigger-written outbox row is announced on (see catalog's migration 0008). */
export const OUTBOX_NOTIFY_CHANNEL = 'outbox_committed';

/**
 * Outbox rows written by a trigger (not by emit() or a one-statement step) are unknown to
 * the relay's commit hook. The trigger also NOTIFYs their envelope, which PostgreSQL
 * delivers only when the transaction commits; this listener hands it to the relay, so such
 * an event is published a few milliseconds after the commit rather than after the
 * sweeper's grace period. A lost notification (listener reconnecting, payload too large
 * to notify) still leaves the row for the sweeper: this is the fast path, not the only one.
 */
export class OutboxNotifications {
  private client: Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly relay: OutboxRelay,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      if (message.channel !== OUTBOX_NOTIFY_CHANNEL || !message.payload) return;
      try {
        this.relay.committed([JSON.parse(message.payload) as EventEnvelope]);
      } catch (err) {
        this.logger.warn('unreadable outbox notification; the sweeper publishes the row', { err });
      }
    });
    client.on('error', (err) => {
      this.logger.warn('outbox listener lost its connection; reconnecting', { err });
      this.reconnectSoon(client);
    });
    client.on('end', () => this.reconnectSoon(client));
    this.client = client;
    await client.connect();
    await client.query(`listen ${OUTBOX_NOTIFY_CHANNEL}`);
  }

  private reconnectSoon(client: Client): void {
    if (this.stopped || this.client !== client || this.retry) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.start().catch((err: unknown) => {
        this.logger.warn('outbox listener could not reconnect; retrying', { err });
        if (this.client) this.reconnectSoon(this.client);
      });
    }, 500);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}
