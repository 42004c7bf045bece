import { executeQueryPlan, type GraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { QueryPlan } from '@apollo/query-planner';
import { type DocumentNode, type ExecutionResult, type FormattedExecutionResult, GraphQLError, print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { IDENTITY_HEADER, type Logger } from '@storegraph/common';
import type { GatewayContext } from '../context';
import type { SubscriptionPlanner } from './planner';
import { PrimaryEventSource } from './primary-event-source';

export interface SubscriptionExecutorOptions {
  planner: SubscriptionPlanner;
  /** The gateway's own data sources by subgraph name (identity header and all). */
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
  /** HTTP routing URL per subgraph; the WebSocket endpoint is the same URL with ws(s). */
  subgraphUrls: ReadonlyMap<string, string>;
  logger: Logger;
}

export interface SubscribeArgs {
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  context: GatewayContext;
}

function webSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

function pick(variables: Record<string, unknown>, names: string[] | undefined): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names ?? []) if (name in variables) picked[name] = variables[name];
  return picked;
}

/**
 * Executes subscriptions through the federated graph. The planner splits the operation
 * into a `primary` fetch (a subscription to the subgraph that owns the field) and a
 * `rest` plan for fields other subgraphs own. The primary runs as a graphql-ws
 * subscription to that subgraph, carrying the caller's signed identity; for every event
 * it pushes, the rest runs through @apollo/gateway's normal query-plan execution, so
 * entity fetches, error handling and result shaping are exactly those of queries.
 */
export class SubscriptionExecutor {
  private open = 0;

  constructor(private readonly options: SubscriptionExecutorOptions) {}

  /** Upstream subgraph subscriptions currently open (for /metrics and leak tests). */
  get openUpstreams(): number {
    return this.open;
  }

  async *subscribe(args: SubscribeArgs): AsyncGenerator<ExecutionResult> {
    const { planner, dataSources, subgraphUrls } = this.options;
    const planned = planner.plan(args.document, args.operationName);
    const { primary, rest } = planned.node;
    const upstreamUrl = subgraphUrls.get(primary.serviceName);
    const real = dataSources.get(primary.serviceName);
    if (!upstreamUrl || !real) throw new Error(`No route to subgraph ${primary.serviceName}`);

    const open = () => {
      const client: Client = createClient({
        url: webSocketUrl(upstreamUrl),
        webSocketImpl: WebSocket,
        connectionParams: { [IDENTITY_HEADER]: args.context.identityHeader() },
        lazy: true,
        retryAttempts: 0,
      });
      const iterator = client.iterate<Record<string, unknown>>({
        query: primary.operation,
        operationName: primary.operationName,
        variables: pick(args.variables, primary.variableUsages),
      });
      return { client, iterator };
    };
    let upstream = open();
    const plan: QueryPlan = { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [primary, rest] } : primary };
    // Fixed for the whole subscription; only the primary's answer changes from event to event.
    const services: Record<string, GraphQLDataSource<GatewayContext>> = Object.fromEntries(dataSources);
    const request = { query: print(args.document), operationName: args.operationName, variables: args.variables };
    const resolveEvent = (event: GatewayGraphQLResponse): Promise<ExecutionResult> => {
      const serviceMap = { ...services, [primary.serviceName]: new PrimaryEventSource(primary.operation, event, real) };
      // The parts of Apollo's request context that query-plan execution reads (metrics is written to).
      const requestContext = {
        request,
        context: args.context,
        logger: this.options.logger,
        metrics: {},
        operationName: args.operationName ?? null,
        document: args.document,
      } as unknown as GatewayGraphQLRequestContext<GatewayContext>;
      return executeQueryPlan(plan, serviceMap, requestContext, planned.operationContext, planner.supergraphSchema, planner.apiSchema);
    };
    this.open += 1;
    let resumes = 0;
    try {
      for (;;) {
        let next: IteratorResult<FormattedExecutionResult<Record<string, unknown>, unknown>>;
        try {
          next = await upstream.iterator.next();
        } catch (err) {
          // The subgraph process went away (a crash, a redeploy): subscribe again, which
          // reaches another replica behind the load balancer. Its first event is the order
          // as it is now, so the client misses no status (it may see the last one twice).
          if (connectionLost(err) && resumes < MAX_RESUMES) {
            resumes += 1;
            this.options.logger.warn('subgraph subscription lost; subscribing again', { subgraph: primary.serviceName, attempt: resumes });
            await Promise.resolve(upstream.client.dispose()).catch(() => undefined);
            await new Promise((r) => setTimeout(r, RESUME_DELAY_MS * resumes));
            upstream = open();
            continue;
          }
          yield { errors: [upstreamError(err)] };
          return;
        }
        if (next.done) return;
        resumes = 0;
        // Each fetch of the event signs its own assertion (the context does); a caller whose
        // token no longer stands gets no event at all rather than one resolved anonymously.
        try {
          args.context.assertStanding();
        } catch (err) {
          yield { errors: [err instanceof GraphQLError ? err : new GraphQLError(String(err))] };
          return;
        }
        yield await resolveEvent(next.value as GatewayGraphQLResponse);
      }
    } finally {
      this.open -= 1;
      await upstream.iterator.return?.(undefined).catch(() => undefined);
      await upstream.client.dispose();
    }
  }
}

/** Attempts to subscribe again, one after the other, after the subgraph's socket was lost. */
const MAX_RESUMES = 5;
const RESUME_DELAY_MS = 200;

/**
 * The socket ended without the subgraph saying why: closed abnormally (1006), the server
 * going away or restarting (1001, 1012), or never opened (a network error). A close code
 * of the protocol or the application (4xxx: forbidden, bad request ...) is an answer.
 */
function connectionLost(err: unknown): boolean {
  if (err instanceof Error) return true;
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' && [1001, 1006, 1012, 1013].includes(code);
}

/** graphql-ws rejects with a CloseEvent, an Error, or the server's error list. */
function upstreamError(err: unknown): GraphQLError {
  if (Array.isArray(err) && err.length > 0 && typeof err[0]?.message === 'string') {
    const first = err[0] as { message: string; extensions?: Record<string, unknown> };
    return new GraphQLError(first.message, { extensions: first.extensions });
  }
  if (err instanceof Error) return new GraphQLError(err.message);
  const reason = (err as { reason?: string; code?: number })?.reason;
  return new GraphQLError(`Subscription ended by the subgraph${reason ? `: ${reason}` : ''}`);
}
