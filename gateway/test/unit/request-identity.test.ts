import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import { bearerToken, clientAddress } from '../../src/context';

function request(headers: Record<string, string>, remoteAddress = '192.0.2.1'): IncomingMessage {
  return { headers, socket: { remoteAddress } as Socket } as IncomingMessage;
}

describe('bearerToken', () => {
  it('treats a missing or empty header as anonymous', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('')).toBeNull();
  });

  it('takes the token of a Bearer header, whatever the scheme case', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
  });

  it.each(['Basic dXNlcg==', 'Bearer', 'Bearer a b', 'abc.def.ghi'])('refuses %p with 401 UNAUTHENTICATED', (header) => {
    let error: unknown;
    try {
      bearerToken(header);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
  });
});

describe('clientAddress', () => {
  it('uses the socket address unless the proxy is trusted', () => {
    expect(clientAddress(request({ 'x-forwarded-for': '203.0.113.7' }), false)).toBe('192.0.2.1');
  });

  it('uses the first X-Forwarded-For entry behind a trusted proxy', () => {
    expect(clientAddress(request({ 'x-forwarded-for': '203.0.113.7, 10.0.0.2' }), true)).toBe('203.0.113.7');
    expect(clientAddress(request({}), true)).toBe('192.0.2.1');
  });
});
