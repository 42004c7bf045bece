import { Migration } from '@mikro-orm/migrations';

export class CreateAddresses0003 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table addresses (
      id uuid primary key,
      user_id uuid not null references users (id) on delete cascade,
      name text not null,
      line1 text not null,
      line2 text null,
      city text not null,
      region text null,
      postal_code text not null,
      country text not null check (country ~ '^[A-Z]{2}$'),
      phone text null,
      is_default boolean not null default false,
      created_at timestamptz not null default now()
    )`);
    this.addSql('create index addresses_user_id_idx on addresses (user_id)');
    // At most one default per user, whatever races the service loses: the database decides.
    this.addSql('create unique index addresses_one_default_per_user on addresses (user_id) where is_default');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists addresses');
  }
}
