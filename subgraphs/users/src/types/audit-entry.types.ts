import { PageInfo } from '@storegraph/common';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

/** A row of audit_entries as the API shows it; `actor` is resolved from actorId. */
@ObjectType({ description: 'One recorded ADMIN action, in any subgraph.' })
export class AuditEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  at!: Date;

  /** The actor's user id; the `actor` field resolves it. */
  actorId!: string;

  @Field(() => String, {
    description: 'e.g. product.created, product.updated, stock.adjusted, order.shipped, user.role_changed, coupon.created',
  })
  action!: string;

  @Field(() => String)
  targetType!: string;

  @Field(() => ID)
  targetId!: string;

  @Field(() => String, { description: 'JSON object: what changed (before/after where it applies).' })
  details!: string;
}

@ObjectType()
export class AuditEntryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AuditEntry)
  node!: AuditEntry;
}

@ObjectType()
export class AuditEntryConnection {
  @Field(() => [AuditEntryEdge])
  edges!: AuditEntryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@InputType()
export class AuditFilter {
  @Field(() => String, { nullable: true })
  action?: string | null;

  @Field(() => ID, { nullable: true })
  actorId?: string | null;

  @Field(() => ID, { nullable: true })
  targetId?: string | null;
}
