import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
// The enum is public API but only re-exported as a type from the package root.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { IDENTITY_HEADER } from '@storegraph/common';
import type { GatewayContext } from './context';

/** Every header in this family is ours to set; a client never gets to choose one. */
const INTERNAL_HEADER_PREFIX = 'x-storegraph-';

/**
 * Node's own fetch (undici, keep-alive connection pool per origin). Apollo's default,
 * make-fetch-happen, builds an HTTP cache and agent stack per call that showed up as
 * a fifth of the gateway's CPU in the saga bench; subgraph responses are never cached.
 */
const nodeFetch: RemoteGraphQLDataSource['fetcher'] = (url, init) => fetch(url, init);

type DataSourceConfig = ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0];

/**
 * The gateway's only channel of trust to the subgraphs. Apollo does not forward client
 * headers by default; deleting the internal family anyway keeps a future "forward these
 * headers" change from letting a client vouch for itself.
 */
export class IdentityDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(config?: DataSourceConfig) {
    super({ fetcher: nodeFetch, ...config });
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    const internal: string[] = [];
    for (const [name] of headers) {
      if (name.toLowerCase().startsWith(INTERNAL_HEADER_PREFIX)) internal.push(name);
    }
    for (const name of internal) headers.delete(name);
    // Health checks and schema loads have no client behind them: they go out anonymous.
    if (options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION) {
      headers.set(IDENTITY_HEADER, options.context.identityHeader);
    }
  }
}
