import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { JsonHttpClient } from '@storegraph/common';
import { Headers } from 'node-fetch';
import type { GatewayContext } from '../../src/context';
import { IdentityDataSource } from '../../src/identity-data-source';

const context: GatewayContext = {
  caller: null,
  clientIp: '192.0.2.1',
  identityHeader: () => 'signed.by-gateway',
  assertStanding: () => undefined,
  tokenProblem: null,
};

/** A request as Apollo hands it over, carrying headers a client tried to smuggle through. */
function outgoing(kind: GraphQLDataSourceRequestKind): GraphQLDataSourceProcessOptions<GatewayContext> {
  const headers = new Headers({ 'X-Storegraph-Identity': 'forged.by-client', 'x-storegraph-role': 'ADMIN' });
  const request = { query: '{ a }', variables: { v: 1 }, http: { url: 'http://subgraph/graphql', method: 'POST', headers } };
  const options =
    kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION
      ? { kind, request, context, incomingRequestContext: {} as GatewayGraphQLRequestContext<GatewayContext> }
      : { kind, request, context: {} };
  return options as GraphQLDataSourceProcessOptions<GatewayContext>;
}

describe('IdentityDataSource', () => {
  let server: Server;
  let url: string;
  let seen: { headers: IncomingHttpHeaders; body: string } | null = null;
  let answer: { status: number; contentType: string; body: string };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen = { headers: req.headers, body };
        res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  const http = new JsonHttpClient();
  afterAll(async () => {
    http.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    seen = null;
    answer = { status: 200, contentType: 'application/json', body: '{"data":{"a":1}}' };
  });

  it('sends the gateway-signed identity and none of the x-storegraph-* headers it was handed', async () => {
    const response = await new IdentityDataSource(url, http).process(outgoing(GraphQLDataSourceRequestKind.INCOMING_OPERATION));
    expect(response).toEqual({ data: { a: 1 } });
    expect(seen!.headers['x-storegraph-identity']).toBe('signed.by-gateway');
    expect(Object.keys(seen!.headers).filter((h) => h.startsWith('x-storegraph-'))).toEqual(['x-storegraph-identity']);
    expect(JSON.parse(seen!.body)).toEqual({ query: '{ a }', variables: { v: 1 } });
  });

  it('sends health checks without any identity', async () => {
    await new IdentityDataSource(url, http).process(outgoing(GraphQLDataSourceRequestKind.HEALTH_CHECK));
    expect(Object.keys(seen!.headers).filter((h) => h.startsWith('x-storegraph-'))).toEqual([]);
  });

  it('turns a 401 from the subgraph into UNAUTHENTICATED', async () => {
    answer = { status: 401, contentType: 'application/json', body: '{"errors":[{"message":"no"}]}' };
    await expect(new IdentityDataSource(url, http).process(outgoing(GraphQLDataSourceRequestKind.INCOMING_OPERATION))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED', response: { status: 401 } },
    });
  });

  it('refuses an answer that is not JSON', async () => {
    answer = { status: 200, contentType: 'text/html', body: '<html>proxy error</html>' };
    await expect(new IdentityDataSource(url, http).process(outgoing(GraphQLDataSourceRequestKind.INCOMING_OPERATION))).rejects.toThrow(
      /Expected JSON response body/,
    );
  });

  it('answers SERVICE_UNAVAILABLE for a subgraph behind a proxy that cannot reach it', async () => {
    answer = { status: 503, contentType: 'text/html', body: '<html>no server available</html>' };
    await expect(new IdentityDataSource(url, http).process(outgoing(GraphQLDataSourceRequestKind.INCOMING_OPERATION))).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
  });

  it('answers SERVICE_UNAVAILABLE when the subgraph is unreachable, without its address', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(
      new IdentityDataSource(`http://127.0.0.1:${port}/graphql`, http).process(outgoing(GraphQLDataSourceRequestKind.INCOMING_OPERATION)),
    ).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
      message: expect.not.stringContaining(String(port)),
      originalError: { message: expect.stringMatching(/ECONNREFUSED/) },
    });
  });
});
