import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { uuidv7 } from '@storegraph/common';
import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType()
@Entity({ tableName: 'categories' })
export class Category {
  [OptionalProps]?: 'id' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Field(() => String)
  @Property({ type: 'text' })
  name!: string;

  @Field(() => String)
  @Property({ type: 'text', unique: true })
  slug!: string;

  @Property({ type: 'datetime', fieldName: 'created_at' })
  createdAt: Date = new Date();
}
