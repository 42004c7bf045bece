import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
// The enum is public API but only re-exported as a type from the package root.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { HttpCallError, IDENTITY_HEADER, serviceUnavailable, UNAVAILABLE_HTTP_STATUSES, type HttpReply, type JsonHttpClient } from '@storegraph/common';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context';

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
 * the gateway caches no responses.
 */
export class IdentityDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    readonly url: string,
    private readonly http: JsonHttpClient,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { query, variables, operationName } = options.request;
    if (!query) throw new Error('Missing query');
    let reply: HttpReply;
    try {
      reply = await this.http.post(this.url, JSON.stringify({ query, variables, operationName }), outgoingHeaders(options), SUBGRAPH_TIMEOUT_MS);
    } catch (err) {
      // Refused, reset or silent: the client may retry, and the subgraph's address stays ours.
      if (err instanceof HttpCallError) throw serviceUnavailable(undefined, err);
      throw err;
    }
    if (UNAVAILABLE_HTTP_STATUSES.has(reply.status)) throw serviceUnavailable();
    const body = parse(reply.body, reply.contentType);
    if (reply.status < 200 || reply.status >= 300) throw httpError(reply.status, body);
    if (typeof body !== 'object' || body === null) throw new Error(`Expected JSON response body, but received: ${reply.body.slice(0, 200)}`);
    return body as GatewayGraphQLResponse;
  }
}

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
