import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import { aliasLimit, directiveLimit, rootFieldLimit } from './counts';
import { estimateCost } from './cost';
import { depthLimit } from './depth';

/** How big one operation may be. Each is a setting of the gateway (see config.ts). */
export interface OperationLimits {
  /** MAX_QUERY_DEPTH: fields nested deeper than this. */
  maxDepth: number;
  /** MAX_QUERY_ALIASES: aliased fields, fragments expanded. */
  maxAliases: number;
  /** MAX_QUERY_ROOT_FIELDS: fields of the root selection. */
  maxRootFields: number;
  /** MAX_QUERY_DIRECTIVES: directive uses, fragments expanded. */
  maxDirectives: number;
  /** MAX_QUERY_TOKENS: lexical tokens of the document; the parser stops past it. */
  maxTokens: number;
  /** MAX_QUERY_COST: the estimate of `estimateCost`. */
  maxCost: number;
  /** QUERY_COST_DEFAULT_LIST_SIZE: the size assumed for a list without `first`. */
  defaultListSize: number;
}

/** What a client sent, as graphql-ws's subscribe message carries it. */
export interface OperationRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/**
 * The operation limits, one implementation for both doors: Apollo (HTTP, and queries sent
 * over the socket) takes `parseOptions`, `validationRules` and `plugin`; graphql-ws takes
 * `prepare`, which runs the same parse, the same rules and the same cost check. The cost
 * needs the variables (`first: $n`), so it runs once the operation is resolved rather than
 * as a validation rule, which never sees them.
 */
export class OperationGuard {
  readonly parseOptions: ParseOptions;
  readonly validationRules: ValidationRule[];

  constructor(private readonly limits: OperationLimits) {
    this.parseOptions = { maxTokens: limits.maxTokens };
    this.validationRules = [
      depthLimit(limits.maxDepth),
      aliasLimit(limits.maxAliases),
      rootFieldLimit(limits.maxRootFields),
      directiveLimit(limits.maxDirectives),
    ];
  }

  /** The cost refusal, or null when the operation is within MAX_QUERY_COST. */
  costError(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
  ): GraphQLError | null {
    const cost = estimateCost(schema, document, operationName, variables, this.limits.defaultListSize);
    if (cost <= this.limits.maxCost) return null;
    return new GraphQLError(
      `Operation is estimated to cost ${Math.ceil(cost)}; the limit is ${this.limits.maxCost} (MAX_QUERY_COST)`,
      { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    );
  }

  /** graphql-js's own words for the token limit ("Document contains more that N tokens") name no setting. */
  private describeParseError(error: Error): void {
    if (/^Syntax Error: Document contains more tha[nt] \d+ tokens/.test(error.message)) {
      const max = this.limits.maxTokens;
      error.message = `Operation has more than ${max} tokens; the limit is ${max} (MAX_QUERY_TOKENS)`;
    }
  }

  /** Apollo's half: names the token limit, and refuses an operation over the cost limit before it is planned. */
  plugin(): ApolloServerPlugin {
    return {
      requestDidStart: async () => ({
        parsingDidStart: async () => async (error) => {
          if (error) this.describeParseError(error);
        },
        // Errors thrown here reach the client as they are (earlier hooks turn them into 500s).
        didResolveOperation: async ({ schema, document, operationName, request }) => {
          const error = this.costError(schema, document, operationName, request.variables);
          // The status Apollo answers validation failures with, instead of its default 500 here.
          if (error) throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
        },
      }),
    };
  }

  /**
   * graphql-ws's half (its `onSubscribe`): parse, validate and cost-check as over HTTP, with
   * the codes Apollo gives; the execution arguments when the operation passes.
   */
  prepare(schema: GraphQLSchema, request: OperationRequest): ExecutionArgs | GraphQLError[] {
    let document: DocumentNode;
    try {
      document = parse(request.query, this.parseOptions);
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      this.describeParseError(err);
      return [withCode(err, 'GRAPHQL_PARSE_FAILED')];
    }
    const invalid = validate(schema, document, [...specifiedRules, ...this.validationRules]);
    if (invalid.length > 0) return invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
    const tooCostly = this.costError(schema, document, request.operationName, request.variables);
    if (tooCostly) return [tooCostly];
    return { schema, document, operationName: request.operationName, variableValues: request.variables };
  }
}
