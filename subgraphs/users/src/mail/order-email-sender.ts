import type { EntityManager } from '@mikro-orm/postgresql';
import { PeriodicTask, type Logger, type ServiceMetrics } from '@storegraph/common';
import type { OrderEmailConfig } from '../config';
import type { EmailOutbox, OwedEmail } from './email-outbox';
import type { Mailer } from './mailer';
import type { OrderFacts, OrderLookup } from './order-lookup';
import { renderOrderEmail } from './order-emails';

/**
 * Emails taken per round: one orders call, one catalog call, one payments call and one
 * statement marking them sent for all of them. On a busy store each receipt then costs
 * the saga's processes a fiftieth of those calls.
 */
const BATCH = 50;
/**
 * How long a claimed email is left to its sender before it is due again: well past the
 * lookups and the SMTP exchange (each bounded by its timeout), so only a sender that
 * died mid-send leaves one to be taken over.
 */
const LEASE_MS = 120_000;
/** Emails of a round sent at once. */
const SEND_CONCURRENCY = 4;

/** Delay after failed attempt n (1-based): min, doubling, capped. */
export function retryDelayMs(attempt: number, config: Pick<OrderEmailConfig, 'minRetryMs' | 'maxRetryMs'>): number {
  return Math.min(config.maxRetryMs, config.minRetryMs * 2 ** Math.min(attempt - 1, 30));
}

export interface SenderCounts {
  /** Due or waiting for a retry, in the table. */
  pending: number;
  /** Given up on after EMAIL_RETRY_MAX_ATTEMPTS, in the table. */
  parked: number;
  /** Sent by this process since it started. */
  sent: number;
}

/**
 * Drains email_outbox: claims due emails, asks the graph about their orders (batched),
 * renders them from the templates and sends them over SMTP. A failed attempt (SMTP
 * down or refusing, a subgraph not answering) is tried again with a doubling backoff;
 * after the last attempt the email is PARKED, logged, and counted in /metrics, and waits
 * for an operator (`npm run emails`). It runs on its own timer: the saga's consumers
 * only ever wrote a row, so nothing here can hold up an order.
 */
export class OrderEmailSender {
  private readonly task: PeriodicTask;
  private readonly backlog = { pending: 0, parked: 0 };
  private sent = 0;
  private sentTotal: ReturnType<ServiceMetrics['counter']> | null = null;

  constructor(
    private readonly outbox: EmailOutbox,
    private readonly lookup: OrderLookup,
    private readonly mailer: Mailer,
    private readonly em: EntityManager,
    private readonly config: OrderEmailConfig,
    private readonly logger: Logger,
  ) {
    this.task = new PeriodicTask(config.sendIntervalMs, () => this.run(), (err) => logger.warn('order email sender run failed; will retry', { err }));
  }

  start(): void {
    this.task.start();
    this.task.kick();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  get counts(): SenderCounts {
    return { ...this.backlog, sent: this.sent };
  }

  /**
   * Puts the sender's figures in the service's registry: the backlog as of the last round
   * (read at scrape time, no query of its own) and the emails sent. Returns the undo.
   */
  observe(metrics: ServiceMetrics): () => void {
    const parked = metrics.gauge('storegraph_order_emails_parked', 'Order emails given up on after every retry, waiting for an operator.');
    const pending = metrics.gauge('storegraph_order_emails_pending', 'Order emails due or waiting for a retry.');
    this.sentTotal = metrics.counter('storegraph_order_emails_sent_total', 'Order emails the SMTP server accepted.');
    return metrics.onScrape(() => {
      parked.inc(this.backlog.parked);
      pending.inc(this.backlog.pending);
    });
  }

  /** Sends everything due now, batch after batch; then refreshes the counts. */
  async run(): Promise<void> {
    while (!this.task.stopped) {
      const owed = await this.outbox.claimDue(BATCH, LEASE_MS);
      if (owed.length === 0) break;
      await this.sendBatch(owed);
    }
    Object.assign(this.backlog, await this.outbox.backlog());
  }

  private async sendBatch(owed: OwedEmail[]): Promise<void> {
    const needOrder = owed.filter((o) => o.kind !== 'order_shipped');
    let orders = new Map<string, OrderFacts>();
    let lookupFailed: unknown = null;
    if (needOrder.length > 0) {
      const withPayment = new Set(needOrder.filter((o) => o.kind === 'order_cancelled').map((o) => o.orderId));
      try {
        orders = await this.lookup.orders([...new Set(needOrder.map((o) => o.orderId))], withPayment);
      } catch (err) {
        lookupFailed = err;
      }
    }
    const userIds = [...new Set(owed.map((o) => o.userId ?? orders.get(o.orderId)?.userId).filter((id): id is string => !!id))];
    const users = new Map(
      (userIds.length === 0
        ? []
        : // One array literal (the ids are UUIDs from validated events and orders): knex would splice a JS array into a list.
          await this.em
            .fork()
            .execute<Array<{ id: string; email: string; name: string }>>('select id, email, name from users where id = any(?::uuid[])', [
              `{${userIds.join(',')}}`,
            ])
      ).map((u) => [u.id, u]),
    );
    const sent: string[] = [];
    const sendOne = async (email: OwedEmail): Promise<void> => {
      try {
        if (email.kind !== 'order_shipped' && lookupFailed) throw lookupFailed;
        const order = email.kind === 'order_shipped' ? null : (orders.get(email.orderId) ?? null);
        // Not (yet) known to orders: an attempt that failed, retried and in the end parked.
        if (email.kind !== 'order_shipped' && !order) throw new Error(`order ${email.orderId} not found for its ${email.kind} email`);
        const userId = (email.userId ?? order?.userId)!;
        const user = users.get(userId);
        if (!user) {
          // The account is gone: nobody to write to, and no retry will change that.
          await this.outbox.markSkipped(email.id, `no user ${userId}`);
          this.logger.warn('order email skipped: no such user', { emailId: email.id, kind: email.kind, orderId: email.orderId, userId });
          return;
        }
        const rendered = renderOrderEmail(email, user.name, order);
        await this.mailer.send({ to: user.email, ...rendered, links: [], messageId: `<order-email-${email.id}@storegraph>` });
        sent.push(email.id);
      } catch (err) {
        await this.failed(email, err);
      }
    };
    // A few at a time: each send holds an SMTP connection and then a database connection
    // (users' pool serves its requests too); an email is in no hurry.
    for (let i = 0; i < owed.length; i += SEND_CONCURRENCY) await Promise.all(owed.slice(i, i + SEND_CONCURRENCY).map(sendOne));
    // Marked together once the round is sent. A crash before this line sends the round's
    // emails again when their lease runs out, with the same Message-ID (as a crash between
    // one send and its mark always could).
    await this.outbox.markSent(sent);
    this.sent += sent.length;
    this.sentTotal?.inc(sent.length);
  }

  private async failed(email: OwedEmail, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const where = { emailId: email.id, kind: email.kind, orderId: email.orderId, attempt: email.attempts };
    if (email.attempts >= this.config.maxAttempts) {
      await this.outbox.markFailed(email.id, message, null);
      this.logger.error('order email parked after its last attempt (npm run emails -- list)', { ...where, err: message });
      return;
    }
    const delayMs = retryDelayMs(email.attempts, this.config);
    await this.outbox.markFailed(email.id, message, delayMs);
    this.logger.warn('order email not sent; will retry', { ...where, delayMs, err: message });
  }
}
