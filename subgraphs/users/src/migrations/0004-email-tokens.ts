import { Migration } from '@mikro-orm/migrations';

export class EmailTokens0004 extends Migration {
  override async up(): Promise<void> {
    // Existing accounts registered before verification existed start unverified.
    this.addSql('alter table users add column email_verified boolean not null default false');
    this.addSql(`create table email_tokens (
      id uuid primary key,
      user_id uuid not null references users (id) on delete cascade,
      purpose text not null check (purpose in ('password_reset', 'email_verification')),
      secret_hash text not null,
      expires_at timestamptz not null,
      used_at timestamptz null,
      created_at timestamptz not null default now()
    )`);
    this.addSql('create index email_tokens_user_id_idx on email_tokens (user_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists email_tokens');
    this.addSql('alter table users drop column if exists email_verified');
  }
}
