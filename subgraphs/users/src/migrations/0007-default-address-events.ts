import { Migration } from '@mikro-orm/migrations';

/**
 * Users now publishes `users.default-address.changed` (through the outbox that 0005 made)
 * so orders can keep each user's default shipping address. The counter numbers a user's
 * announcements: bumped under the user's row lock by every change that announces, so the
 * versions follow commit order and a consumer can drop one that arrives late. Accounts of
 * before this migration start at 0 without an announcement: orders has no row for them
 * and asks users until their first change.
 */
export class DefaultAddressEvents0007 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table users add column default_address_version integer not null default 0');
  }

  override async down(): Promise<void> {
    this.addSql('alter table users drop column if exists default_address_version');
  }
}
