import { Migration } from '@mikro-orm/migrations';

export class CreateUsers0001 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table users (
      id uuid primary key,
      email text not null,
      name text not null,
      role text not null check (role in ('CUSTOMER', 'ADMIN')),
      password_hash text not null,
      created_at timestamptz not null default now(),
      constraint users_email_unique unique (email),
      -- the app normalizes; the database makes sure no other spelling slips past the unique index
      constraint users_email_normalized check (email = lower(btrim(email)))
    )`);
    this.addSql(`create table refresh_tokens (
      id uuid primary key,
      family_id uuid not null,
      user_id uuid not null references users (id) on delete cascade,
      secret_hash text not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default now(),
      rotated_at timestamptz null,
      revoked_at timestamptz null
    )`);
    this.addSql('create index refresh_tokens_family_id_idx on refresh_tokens (family_id)');
    this.addSql('create index refresh_tokens_user_id_idx on refresh_tokens (user_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists refresh_tokens');
    this.addSql('drop table if exists users');
  }
}
