import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
// The enum is public API but only re-exported as a type from the package root.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { HttpCallError, IDENTITY_HEADER, serviceUnavailable, UNAVAILABLE_HTTP_STATUSES, type HttpReply, type JsonHttpClient } from '@storegraph/common';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context';
import type { ReadCache } from './read-path/read-cache';
import type { SharedReads } from './read-path/shared-reads';

/** The read path of one subgraph: its public fetches shared (and cached), and the anonymous identity they go out with. */
export interface ReadPath {
  reads: SharedReads;
  cache: ReadCache | null;
  anonymousHeader(): string;
}

/** A subgraph that does not answer within this long fails its part of the plan. */
const SUBGRAPH_TIMEOUT_MS = 30_000;

/**
 * The gateway's only channel of trust to the subgraphs. Outgoing headers are built here
 * from nothing: the signed identity for a client's operation, none for anything else.
 * Whatever headers Apollo or a client put on the request are never forwarded, so no
 * client can vouch for itself with an `x-storegraph-*` header.
 *
 * It implements Apollo's GraphQLDataSource itself rather than extending
 * RemoteGraphQLDataSource: that class builds node-fetch Headers and a Request per call
 * and sends through make-fetch-happen, costs the saga bench measured per subgraph call;
 * this one is a plain keep-alive POST (`JsonHttpClient`). Subgraph cache hints are not read:
 * what is shared or cached is decided by the gateway's read path (read-path/), never by a
 * subgraph's hint.
 *
 * With a read path, a client's fetch that only reads the subgraph's public surface is
 * shared with identical fetches in flight, and answered from the cache when it may be; it
 * then goes out as anonymous, so nobody's rights shape an answer others receive.
 */
export class IdentityDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    readonly url: string,
    private readonly http: JsonHttpClient,
    private readonly readPath: ReadPath | null = null,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { query, variables, operationName } = options.request;
    if (!query) throw new Error('Missing query');
    const readPath = options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION ? this.readPath : null;
    const shared = readPath?.reads.classify(query, variables);
    let reply: HttpReply;
    if (readPath && shared) {
      // As for any call: a caller whose token has run out gets no answer, shared or not.
      options.context.assertStanding();
      reply = await readPath.reads.serve(shared, () => this.send(query, variables, operationName, { [IDENTITY_HEADER]: readPath.anonymousHeader() }));
    } else {
      reply = await this.send(query, variables, operationName, outgoingHeaders(options));
      // This replica's own writes are seen by its next read at once, before their event arrives.
      if (readPath?.cache && MUTATION.test(query)) readPath.cache.flush();
    }
    return this.response(reply);
  }

  private async send(query: string, variables: Record<string, unknown> | undefined, operationName: string | undefined, headers: Record<string, string>): Promise<HttpReply> {
    try {
      return await this.http.post(this.url, JSON.stringify({ query, variables, operationName }), headers, SUBGRAPH_TIMEOUT_MS);
    } catch (err) {
      // Refused, reset or silent: the client may retry, and the subgraph's address stays ours.
      if (err instanceof HttpCallError) throw serviceUnavailable(undefined, err);
      throw err;
    }
  }

  private response(reply: HttpReply): GatewayGraphQLResponse {
    if (UNAVAILABLE_HTTP_STATUSES.has(reply.status)) throw serviceUnavailable();
    const body = parse(reply.body, reply.contentType);
    if (reply.status < 200 || reply.status >= 300) throw httpError(reply.status, body);
    if (typeof body !== 'object' || body === null) throw new Error(`Expected JSON response body, but received: ${reply.body.slice(0, 200)}`);
    return body as GatewayGraphQLResponse;
  }
}

const MUTATION = /^\s*mutation\b/;

/** The only headers a subgraph receives from the gateway. */
export function outgoingHeaders(options: GraphQLDataSourceProcessOptions<GatewayContext>): Record<string, string> {
  // Health checks and schema loads have no client behind them: they go out anonymous.
  // A client's call carries an assertion signed now, for this call.
  return options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION ? { [IDENTITY_HEADER]: options.context.identityHeader() } : {};
}

function parse(text: string, contentType: string | undefined): unknown {
  if (!contentType?.startsWith('application/json') && !contentType?.startsWith('application/graphql-response+json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A subgraph's non-2xx answer, shaped as Apollo's data source reports it. */
function httpError(status: number, body: unknown): GraphQLError {
  const code = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : undefined;
  return new GraphQLError(`${status}: subgraph answered HTTP ${status}`, {
    extensions: { ...(code ? { code } : {}), response: { status, body } },
  });
}
