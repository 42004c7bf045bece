import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { buildOperationContext } from '@apollo/gateway';
import type { OperationContext } from '@apollo/gateway/dist/operationContext';
import { QueryPlanner, type SubscriptionNode } from '@apollo/query-planner';
import { type DocumentNode, GraphQLError, type GraphQLSchema, print } from 'graphql';

export interface PlannedSubscription {
  /** The planner's answer: `primary` fetch to the owning subgraph, `rest` for the others. */
  node: SubscriptionNode;
  operationContext: OperationContext;
}

/**
 * Plans subscription operations exactly as @apollo/gateway plans queries: the same
 * supergraph, the same API schema, the same QueryPlanner. Only their execution is ours.
 */
export class SubscriptionPlanner {
  /** The public API schema (what clients validate against). */
  readonly schema: GraphQLSchema;
  readonly apiSchema: Schema;
  readonly supergraphSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly cache = new Map<string, PlannedSubscription>();

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  /** The plan of a validated subscription document (cached by its text). */
  plan(document: DocumentNode, operationName: string | undefined): PlannedSubscription {
    const key = `${operationName ?? ''}\n${print(document)}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const operation = operationFromDocument(this.apiSchema, document, { operationName });
    const plan = this.planner.buildQueryPlan(operation);
    if (plan.node?.kind !== 'Subscription') {
      throw new GraphQLError('Not a subscription operation', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    const planned: PlannedSubscription = {
      node: plan.node,
      operationContext: buildOperationContext({ schema: this.schema, operationDocument: document, operationName }),
    };
    if (this.cache.size > 500) this.cache.clear();
    this.cache.set(key, planned);
    return planned;
  }
}
