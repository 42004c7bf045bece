import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { uuidv7, type Role as RoleName } from '@storegraph/common';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Role } from './role.enum';

/** An account. The table row and the federated `User` entity (key `id`) in one class. */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'Entity, key "id". Owned by users; `orders` is contributed by the orders subgraph.' })
@Entity({ tableName: 'users' })
export class User {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid', fieldName: 'id' })
  id: string = uuidv7();

  /** Always trimmed and lowercased (see normalizeEmail); unique. */
  @Field(() => String)
  @Property({ type: 'text', fieldName: 'email', unique: true })
  email!: string;

  @Field(() => String)
  @Property({ type: 'text', fieldName: 'name' })
  name!: string;

  @Field(() => Role)
  @Property({ type: 'text', fieldName: 'role' })
  role!: RoleName;

  /** Set when the owner follows an emailed verification (or reset) link. GraphQL field: owner or ADMIN (resolver). */
  @Property({ type: 'boolean', fieldName: 'email_verified' })
  emailVerified: Opt<boolean> = false;

  /** A disabled account cannot sign in or refresh; GraphQL field: owner or ADMIN (UserAdminResolver). */
  @Property({ type: 'boolean', fieldName: 'disabled' })
  disabled: Opt<boolean> = false;

  /** Never a GraphQL field. */
  @Property({ type: 'text', fieldName: 'password_hash' })
  passwordHash!: string;

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz', fieldName: 'created_at' })
  createdAt: Opt<Date> = new Date();
}
