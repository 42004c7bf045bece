import { Migration } from '@mikro-orm/migrations';

/**
 * Order emails: users now consumes the saga's order events (into the inbox that 0005
 * made for the audit entries), and gets email_outbox: one row per event that owes the shopper an email, written in the same
 * transaction as the inbox mark and drained by the sender outside the saga's path.
 * The row id is the event id, so one event can never owe two emails.
 */
export class OrderEmails0006 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table email_outbox (
      id uuid primary key,
      kind text not null check (kind in ('order_confirmed', 'order_failed', 'order_cancelled', 'order_shipped')),
      order_id uuid not null,
      user_id uuid null,
      details jsonb not null default '{}',
      status text not null default 'PENDING' check (status in ('PENDING', 'SENT', 'PARKED', 'SKIPPED')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text null,
      created_at timestamptz not null default now(),
      sent_at timestamptz null
    )`);
    this.addSql(`create index email_outbox_due_idx on email_outbox (next_attempt_at) where status = 'PENDING'`);
    this.addSql(`create index email_outbox_parked_idx on email_outbox (created_at) where status = 'PARKED'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists email_outbox');
  }
}
