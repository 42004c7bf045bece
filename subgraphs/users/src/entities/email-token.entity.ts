import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { uuidv7 } from '@storegraph/common';
import { User } from './user.entity';

/** What an emailed token proves when it comes back. */
export type EmailTokenPurpose = 'password_reset' | 'email_verification';

/**
 * A single-use token sent in an email link (`<id>.<secret>`, like a refresh token). Only
 * the SHA-256 of the secret is kept, so a leaked table resets no password.
 */
@Entity({ tableName: 'email_tokens' })
@Index({ name: 'email_tokens_user_id_idx', properties: ['user'] })
export class EmailToken {
  @PrimaryKey({ type: 'uuid', fieldName: 'id' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => User, fieldName: 'user_id', deleteRule: 'cascade' })
  user!: User;

  @Property({ type: 'text', fieldName: 'purpose' })
  purpose!: EmailTokenPurpose;

  /** Hex SHA-256 of the secret part of the token. */
  @Property({ type: 'text', fieldName: 'secret_hash' })
  secretHash!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', fieldName: 'expires_at' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', fieldName: 'used_at', nullable: true })
  usedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', fieldName: 'created_at' })
  createdAt: Opt<Date> = new Date();
}
