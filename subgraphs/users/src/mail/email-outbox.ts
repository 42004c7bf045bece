import type { EntityManager } from '@mikro-orm/postgresql';

/** The order emails users sends, one per saga event that owes the shopper news. */
export type OrderEmailKind = 'order_confirmed' | 'order_failed' | 'order_cancelled' | 'order_shipped';

/** PENDING: to send (now or after a backoff); SENT; PARKED: gave up, an operator looks; SKIPPED: nobody to write to. */
export type EmailStatus = 'PENDING' | 'SENT' | 'PARKED' | 'SKIPPED';

/** What an event leaves for the email, beyond the order: the failure reason, the carrier and tracking number. */
export type EmailDetails = Record<string, string>;

export interface OwedEmail {
  /** The event's id: one email per event, whatever its redeliveries. */
  id: string;
  kind: OrderEmailKind;
  orderId: string;
  /** Known when the event carries it (shipped); otherwise learnt from orders when sending. */
  userId: string | null;
  details: EmailDetails;
  /** Including the one just claimed. */
  attempts: number;
}

export interface EmailRow extends OwedEmail {
  status: EmailStatus;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
}

interface DbRow {
  id: string;
  kind: OrderEmailKind;
  order_id: string;
  user_id: string | null;
  details: EmailDetails;
  attempts: number;
  status: EmailStatus;
  last_error: string | null;
  created_at: Date;
  next_attempt_at: Date;
}

const toRow = (r: DbRow): EmailRow => ({
  id: r.id,
  kind: r.kind,
  orderId: r.order_id,
  userId: r.user_id,
  details: r.details,
  attempts: r.attempts,
  status: r.status,
  lastError: r.last_error,
  createdAt: new Date(r.created_at),
  nextAttemptAt: new Date(r.next_attempt_at),
});

/** What an event of order news writes to email_outbox (the rest of the row takes its defaults). */
export interface OwedEmailRow {
  id: string;
  kind: OrderEmailKind;
  orderId: string;
  userId?: string | null;
  details?: EmailDetails;
}

/**
 * Records, inside the consumer's transaction (the one that marks the event processed),
 * that an email is owed. Nothing is sent here: the saga's event is acknowledged as soon
 * as this row commits, and the sender does the slow part later.
 */
export async function oweEmail(tx: EntityManager, email: OwedEmailRow): Promise<void> {
  await tx.execute(
    'insert into email_outbox (id, kind, order_id, user_id, details) values (?, ?, ?, ?, ?) on conflict (id) do nothing',
    [email.id, email.kind, email.orderId, email.userId ?? null, JSON.stringify(email.details ?? {})],
  );
}

/** The email_outbox table as the sender and the operator's script use it. */
export class EmailOutbox {
  constructor(private readonly em: EntityManager) {}

  /**
   * Takes up to `limit` due emails and counts the attempt: each claimed row's next try is
   * pushed `leaseMs` ahead, so another replica (or this one after a crash mid-send) takes
   * it again only once the lease has run out. No transaction stays open while sending.
   */
  async claimDue(limit: number, leaseMs: number): Promise<OwedEmail[]> {
    const rows = await this.em.fork().execute<DbRow[]>(
      `update email_outbox e
          set attempts = e.attempts + 1, next_attempt_at = now() + ? * interval '1 millisecond'
        where e.id in (select id from email_outbox
                        where status = 'PENDING' and next_attempt_at <= now()
                        order by next_attempt_at limit ? for update skip locked)
        returning e.*`,
      [leaseMs, limit],
    );
    return rows.map(toRow);
  }

  /** The emails of a round the SMTP server accepted, in one statement. */
  async markSent(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    // One array literal of UUIDs (ids of validated events): knex would splice a JS array into a list.
    await this.em
      .fork()
      .execute(`update email_outbox set status = 'SENT', sent_at = now(), last_error = null where id = any(?::uuid[])`, [`{${ids.join(',')}}`]);
  }

  async markSkipped(id: string, why: string): Promise<void> {
    await this.em.fork().execute(`update email_outbox set status = 'SKIPPED', last_error = ? where id = ?`, [why, id]);
  }

  /** A failed attempt: tried again after `retryInMs`, or PARKED when that is null. */
  async markFailed(id: string, error: string, retryInMs: number | null): Promise<void> {
    const message = error.slice(0, 1000);
    if (retryInMs === null) {
      await this.em.fork().execute(`update email_outbox set status = 'PARKED', last_error = ? where id = ?`, [message, id]);
      return;
    }
    await this.em
      .fork()
      .execute(`update email_outbox set last_error = ?, next_attempt_at = now() + ? * interval '1 millisecond' where id = ?`, [
        message,
        Math.round(retryInMs),
        id,
      ]);
  }

  /** Emails still owed and parked: both read off their partial indexes, cheap at every round. */
  async backlog(): Promise<{ pending: number; parked: number }> {
    const [row] = await this.em.fork().execute<Array<{ pending: string; parked: string }>>(
      `select (select count(*) from email_outbox where status = 'PENDING') as pending,
              (select count(*) from email_outbox where status = 'PARKED') as parked`,
    );
    return { pending: Number(row.pending), parked: Number(row.parked) };
  }

  async counts(): Promise<Record<EmailStatus, number>> {
    const rows = await this.em.fork().execute<Array<{ status: EmailStatus; n: string }>>(
      'select status, count(*) as n from email_outbox group by status',
    );
    const counts: Record<EmailStatus, number> = { PENDING: 0, SENT: 0, PARKED: 0, SKIPPED: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async list(status: EmailStatus): Promise<EmailRow[]> {
    const rows = await this.em.fork().execute<DbRow[]>('select * from email_outbox where status = ? order by created_at', [status]);
    return rows.map(toRow);
  }

  async find(id: string): Promise<EmailRow | null> {
    const [row] = await this.em.fork().execute<DbRow[]>('select * from email_outbox where id = ?', [id]);
    return row ? toRow(row) : null;
  }

  /** An operator's retry of a PARKED email: due now, with a fresh count of attempts. True when one was parked. */
  async retryParked(id: string): Promise<boolean> {
    const rows = await this.em
      .fork()
      .execute<
        unknown[]
      >(`update email_outbox set status = 'PENDING', attempts = 0, next_attempt_at = now() where id = ? and status = 'PARKED' returning id`, [id]);
    return rows.length > 0;
  }
}
