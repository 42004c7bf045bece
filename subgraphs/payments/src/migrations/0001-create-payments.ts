import { Migration } from '@mikro-orm/migrations';

/** No card data has a column here: only the provider's reference. */
export class CreatePayments0001 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table payments (
        id uuid primary key,
        order_id uuid not null,
        user_id uuid not null,
        amount_minor integer not null constraint payments_amount_minor_check check (amount_minor >= 0),
        currency text not null,
        status text not null
          constraint payments_status_check check (status in ('PENDING', 'CAPTURED', 'FAILED', 'REFUNDED')),
        failure_reason text null,
        provider_ref text null,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index payments_order_id_idx on payments (order_id)');
  }
}
