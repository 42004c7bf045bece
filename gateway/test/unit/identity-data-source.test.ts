import { Headers } from 'node-fetch';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../../src/context';
import { IdentityDataSource } from '../../src/identity-data-source';

const context: GatewayContext = { caller: null, clientIp: '192.0.2.1', identityHeader: 'signed.by-gateway' };

function outgoing(kind: GraphQLDataSourceRequestKind): { options: GraphQLDataSourceProcessOptions<GatewayContext>; headers: Headers } {
  const headers = new Headers({
    'X-Storegraph-Identity': 'forged.by-client',
    'x-storegraph-role': 'ADMIN',
    'content-type': 'application/json',
  });
  const request = { query: '{ a }', http: { url: 'http://subgraph/graphql', method: 'POST', headers } };
  const options =
    kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION
      ? { kind, request, context, incomingRequestContext: {} as GatewayGraphQLRequestContext<GatewayContext> }
      : { kind, request, context: {} };
  return { options: options as GraphQLDataSourceProcessOptions<GatewayContext>, headers };
}

describe('IdentityDataSource', () => {
  const source = new IdentityDataSource({ url: 'http://subgraph/graphql' });

  it('replaces every x-storegraph-* header with the gateway-signed identity', () => {
    const { options, headers } = outgoing(GraphQLDataSourceRequestKind.INCOMING_OPERATION);
    source.willSendRequest(options);
    expect([...headers.entries()]).toEqual([
      ['content-type', 'application/json'],
      ['x-storegraph-identity', 'signed.by-gateway'],
    ]);
  });

  it('sends health checks without any identity', () => {
    const { options, headers } = outgoing(GraphQLDataSourceRequestKind.HEALTH_CHECK);
    source.willSendRequest(options);
    expect([...headers.keys()]).toEqual(['content-type']);
  });
});
