import { Migration } from '@mikro-orm/migrations';

/**
 * The revocation list's durable copy. Redis is where the gateway reads it, but Redis may
 * be unreachable when a logout commits, and runs without persistence: a row is written in
 * the transaction that revokes the refresh tokens, pushed to Redis after commit, retried
 * until it lands, and pushed again in full whenever Redis comes back empty.
 */
export class CreateRevocations0002 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists revocations (
      -- the Redis key, without the deployment's prefix: revoked:jti:<id> or revoked:fam:<id>
      key text primary key,
      -- when every access token it kills has expired anyway; the row is dropped after
      expires_at timestamptz not null,
      -- null until Redis has it (set again to null when the entry is renewed)
      published_at timestamptz null,
      created_at timestamptz not null default now()
    )`);
    this.addSql('create index if not exists revocations_expires_at_idx on revocations (expires_at)');
    this.addSql('create index if not exists revocations_unpublished_idx on revocations (expires_at) where published_at is null');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists revocations');
  }
}
