import { Migration } from '@mikro-orm/migrations';
import { eventTablesSql } from '@storegraph/common';

export class AdminAndAudit0005 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table users add column disabled boolean not null default false');
    // Query.users: newest first (id desc), by role, and a substring search on email and
    // name. Trigram GIN indexes serve `ilike '%term%'`, which a btree cannot.
    this.addSql('create extension if not exists pg_trgm');
    this.addSql('create index users_email_trgm_idx on users using gin (email gin_trgm_ops)');
    this.addSql('create index users_name_trgm_idx on users using gin (name gin_trgm_ops)');
    this.addSql('create index users_role_id_idx on users (role, id)');
    // Users now consumes other subgraphs' audit entries: the inbox (and an outbox, unused).
    for (const statement of eventTablesSql) this.addSql(statement);
    // The combined audit log of every subgraph. No foreign key to users: an entry from
    // another subgraph must never be refused by the consumer.
    this.addSql(`create table audit_entries (
      id uuid primary key,
      at timestamptz not null,
      source text not null,
      actor_id uuid not null,
      action text not null,
      target_type text not null,
      target_id text not null,
      details jsonb not null,
      recorded_at timestamptz not null default now()
    )`);
    this.addSql('create index audit_entries_actor_idx on audit_entries (actor_id, id)');
    this.addSql('create index audit_entries_target_idx on audit_entries (target_id, id)');
    this.addSql('create index audit_entries_action_idx on audit_entries (action, id)');
    // Entries are never changed or deleted: the API has no way to, and the table refuses
    // it too, so no bug elsewhere in users can rewrite history.
    this.addSql(`create function audit_entries_immutable() returns trigger language plpgsql as $$
      begin raise exception 'audit entries cannot be changed or deleted'; end $$`);
    this.addSql(`create trigger audit_entries_immutable before update or delete on audit_entries
      for each row execute function audit_entries_immutable()`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists audit_entries');
    this.addSql('drop function if exists audit_entries_immutable');
    this.addSql('drop index if exists users_role_id_idx');
    this.addSql('drop index if exists users_name_trgm_idx');
    this.addSql('drop index if exists users_email_trgm_idx');
    this.addSql('alter table users drop column if exists disabled');
  }
}
