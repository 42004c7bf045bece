import { Migration } from '@mikro-orm/migrations';

/**
 * A capture no longer holds a transaction while the provider answers: its PENDING row
 * commits first and is settled after the call. The token stays on the row only for that
 * while, so an attempt a crash interrupted can be charged again with the same key
 * (pending-capture-recovery.ts); settling clears it. A token is the provider's opaque
 * handle (CheckoutInput.paymentToken), never card data.
 */
export class CaptureRecovery0003 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table payments add column if not exists payment_token text null');
    // Recovery looks for PENDING rows by age; they are few (in flight or interrupted).
    this.addSql("create index if not exists payments_pending_idx on payments (updated_at) where status = 'PENDING'");
  }
}
