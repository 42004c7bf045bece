import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { uuidv7 } from '@storegraph/common';
import { User } from './user.entity';

/**
 * One refresh token. Tokens of one login share a family: rotation adds a row to the
 * family and marks the old one rotated; presenting a rotated token again (reuse) revokes
 * the whole family. Only a SHA-256 of the secret is kept: a leaked table grants nothing.
 */
@Entity({ tableName: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryKey({ type: 'uuid', fieldName: 'id' })
  id: string = uuidv7();

  @Index({ name: 'refresh_tokens_family_id_idx' })
  @Property({ type: 'uuid', fieldName: 'family_id' })
  familyId!: string;

  // A relation (not a bare uuid) so MikroORM inserts the user before its first token.
  @ManyToOne({ entity: () => User, fieldName: 'user_id', deleteRule: 'cascade' })
  user!: User;

  /** Hex SHA-256 of the secret part of the token. */
  @Property({ type: 'text', fieldName: 'secret_hash' })
  secretHash!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', fieldName: 'expires_at' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', fieldName: 'created_at' })
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', fieldName: 'rotated_at', nullable: true })
  rotatedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', fieldName: 'revoked_at', nullable: true })
  revokedAt: Date | null = null;
}
