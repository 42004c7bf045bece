import { Migration } from '@mikro-orm/migrations';

/**
 * Orders' copy of each user's default shipping address, fed by users'
 * `users.default-address.changed` (docs/decisions.md, "How orders learns the shipping
 * address"). One row per user whose announcement arrived; `address` null means the user
 * has none. `version` is the highest announcement applied: an older one arriving late
 * changes nothing. A user without a row (accounts from before the replica, or an event
 * not yet applied) is asked of users at checkout, as before.
 */
export class DefaultAddressReplica0007 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table user_default_addresses (
      user_id uuid primary key,
      version integer not null,
      address jsonb null,
      changed_at timestamptz not null,
      applied_at timestamptz not null default now()
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists user_default_addresses');
  }
}
