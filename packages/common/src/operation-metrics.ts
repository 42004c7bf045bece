import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import type { GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import { logScope } from './log-context';
import { BoundChildren, metricsFor, secondsSince } from './metrics';

/** Error codes that may appear as an `outcome` label; any other code is `error` (a bounded set). */
const KNOWN_CODES = new Set([
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'INTERNAL_SERVER_ERROR',
]);

/** `ok`, or the first error's code (lower case) when it is a known one, else `error`. */
export function outcomeOf(errors: readonly GraphQLFormattedError[] | readonly { extensions?: Record<string, unknown> }[] | undefined): string {
  if (!errors || errors.length === 0) return 'ok';
  const code = errors[0].extensions?.code;
  return typeof code === 'string' && KNOWN_CODES.has(code) ? code.toLowerCase() : 'error';
}

/**
 * Bounds the `operation` label: the first `max` distinct names keep theirs, later ones
 * and anything that is not a GraphQL name fold into `other` (clients choose names, and a
 * label value per name would let one client grow the series without bound).
 */
export class OperationNames {
  private readonly seen = new Set<string>();

  constructor(private readonly max = 200) {}

  label(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max || !/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name)) return 'other';
    this.seen.add(name);
    return name;
  }
}

export interface OperationMetricsOptions {
  service: string;
  /**
   * The `operation` label of a resolved operation. The gateway labels by the client's
   * operation name (bounded by OperationNames); a subgraph by its first root field, which
   * its schema bounds (the gateway's generated names differ per query plan).
   */
  label: (operationName: string | null | undefined, operation: OperationDefinitionNode) => string;
  /** Called with each error of a response (the gateway counts limit refusals). */
  onErrors?: (errors: readonly GraphQLFormattedError[]) => void;
}

/** The first root field's name: a subgraph's operation label. */
export function firstRootField(_name: string | null | undefined, operation: OperationDefinitionNode): string {
  const first = operation.selectionSet.selections[0];
  return first?.kind === 'Field' ? first.name.value : 'fragment';
}

/**
 * GraphQL operations by name, type and outcome (a counter and a latency histogram) on
 * every service; names the request's trace span and access line after the operation.
 */
export function operationMetricsPlugin<TContext extends BaseContext>(options: OperationMetricsOptions): ApolloServerPlugin<TContext> {
  const metrics = metricsFor(options.service);
  const operations = metrics.counter('storegraph_graphql_operations_total', 'GraphQL operations served, by operation, type and outcome', [
    'operation',
    'type',
    'outcome',
  ]);
  const durations = metrics.histogram('storegraph_graphql_operation_duration_seconds', 'Time to answer a GraphQL operation', ['operation', 'type']);
  const counted = new BoundChildren((operation, type, outcome) => operations.labels(operation, type, outcome));
  const timed = new BoundChildren((operation, type) => durations.labels(operation, type));
  return {
    async requestDidStart() {
      const start = process.hrtime.bigint();
      let operation = 'invalid';
      let type = 'unknown';
      return {
        async didResolveOperation({ operationName, operation: definition }) {
          if (!definition) return;
          operation = options.label(operationName, definition);
          type = definition.operation;
          const scope = logScope.getStore();
          if (scope) {
            scope.operation = operation;
            scope.operationType = type;
          }
          trace.getActiveSpan()?.updateName(`${type} ${operation}`);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const outcome = outcomeOf(errors);
          counted.get(operation, type, outcome).inc();
          timed.get(operation, type).observe(secondsSince(start));
          if (errors && options.onErrors) options.onErrors(errors);
          const scope = logScope.getStore();
          if (scope) {
            scope.outcome = outcome;
            scope.operation ??= operation;
          }
        },
      };
    },
  };
}
