import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../context';

/**
 * Stands in for the owning subgraph while one subscription event is resolved: the
 * plan's primary fetch is answered with the event the subgraph already pushed, every
 * other fetch (entity lookups in the same subgraph) goes to the real data source.
 */
export class PrimaryEventSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly primaryOperation: string,
    private readonly event: GatewayGraphQLResponse,
    private readonly real: GraphQLDataSource<GatewayContext>,
  ) {}

  process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    if (options.request.query === this.primaryOperation) return Promise.resolve(this.event);
    return this.real.process(options);
  }
}
