import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { uuidv7 } from '@storegraph/common';
import { Field, ID, ObjectType } from 'type-graphql';
import { User } from './user.entity';

/**
 * A postal address of a user: the table row and the GraphQL type. At most one per user
 * has isDefault (a partial unique index, see migration 0003); a user with any address has
 * exactly one default (AddressService keeps it so).
 */
@ObjectType({ description: 'A postal address. country: ISO 3166-1 alpha-2 ("US", "DE").' })
@Entity({ tableName: 'addresses' })
export class Address {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid', fieldName: 'id' })
  id: string = uuidv7();

  @Index({ name: 'addresses_user_id_idx' })
  @ManyToOne({ entity: () => User, fieldName: 'user_id', deleteRule: 'cascade' })
  user!: User;

  @Field(() => String)
  @Property({ type: 'text', fieldName: 'name' })
  name!: string;

  @Field(() => String)
  @Property({ type: 'text', fieldName: 'line1' })
  line1!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', fieldName: 'line2', nullable: true })
  line2: string | null = null;

  @Field(() => String)
  @Property({ type: 'text', fieldName: 'city' })
  city!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', fieldName: 'region', nullable: true })
  region: string | null = null;

  @Field(() => String)
  @Property({ type: 'text', fieldName: 'postal_code' })
  postalCode!: string;

  @Field(() => String)
  @Property({ type: 'text', fieldName: 'country' })
  country!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', fieldName: 'phone', nullable: true })
  phone: string | null = null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', fieldName: 'is_default' })
  isDefault: Opt<boolean> = false;

  @Property({ type: 'datetime', columnType: 'timestamptz', fieldName: 'created_at' })
  createdAt: Opt<Date> = new Date();
}
