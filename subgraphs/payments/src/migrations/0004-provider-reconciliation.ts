import { Migration } from '@mikro-orm/migrations';

/**
 * A provider call whose answer was lost is kept on its payment and asked about again
 * (provider-retry.ts, payment-reconciliation.ts): a capture stays PENDING, a refund stays
 * CAPTURED with refund_requested_at, each with when to ask next, how many calls so far and
 * the last error. No public status is added: PENDING already says "not settled yet".
 */
export class ProviderReconciliation0004 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table payments add column if not exists attempts integer not null default 0');
    this.addSql('alter table payments add column if not exists next_attempt_at timestamptz null');
    this.addSql('alter table payments add column if not exists last_error text null');
    this.addSql('alter table payments add column if not exists refund_requested_at timestamptz null');
    // A refund before this migration happened inside its handler's transaction: a
    // REFUNDED row is settled, a CAPTURED one has no refund outstanding. Attempts PENDING
    // now come due as before, a minute after their last change.
    this.addSql(`update payments set next_attempt_at = updated_at + interval '60 seconds' where status = 'PENDING'`);
    // Outstanding calls are few (in flight, unanswered or interrupted); the sweep reads them by due time.
    this.addSql('drop index if exists payments_pending_idx');
    this.addSql(`create index if not exists payments_outstanding_idx on payments (next_attempt_at)
      where status = 'PENDING' or (status = 'CAPTURED' and refund_requested_at is not null)`);
  }
}
