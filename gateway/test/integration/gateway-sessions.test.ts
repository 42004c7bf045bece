import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createRedis, markRevocationListWhole, revocationKeys } from '@storegraph/common';
import { bearer, codes, type GraphQLResponse, OwnRedisServer, testRedisPrefix, waitFor } from '@storegraph/common/testing';
import { markRevocationListComplete, startStack, type Stack } from '../support/harness';
import { signToken } from '../support/tokens';

const WHOAMI = '{ whoami { verified userId } }';

interface Socket {
  client: Client;
  closed: Promise<{ code: number; reason: string }>;
  connected: Promise<void>;
}

function openSocket(gatewayUrl: string, token: string): Socket {
  let onClosed: (value: { code: number; reason: string }) => void = () => undefined;
  let onConnected: () => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url: gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  return { client, closed, connected };
}

function query<T>(client: Client, text: string): Promise<{ data?: T; errors?: unknown }> {
  return new Promise((resolve, reject) => {
    let result: { data?: T; errors?: unknown } = {};
    client.subscribe<T>({ query: text }, {
      next: (value) => void (result = value as typeof result),
      error: reject,
      complete: () => resolve(result),
    });
  });
}

async function status(stack: Stack, token: string): Promise<{ status: number; codes: Array<string | undefined> }> {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ query: WHOAMI }),
  });
  return { status: response.status, codes: codes((await response.json()) as GraphQLResponse<unknown>) };
}

describe('identity on a long-lived socket', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Revocation checks stay quiet here: the clock is moved, not the time spent waiting.
    stack = await startStack('development', { REVOCATION_UNCHECKED_CLOSE_MS: '3600000' });
  });
  afterAll(() => stack?.stop());
  afterEach(() => jest.restoreAllMocks());

  it('signs the identity anew for every operation over the socket, so one after the assertion lifetime is still the caller', async () => {
    const { token } = await signToken('socket-user');
    const socket = openSocket(stack.gatewayUrl, token);
    await socket.connected;
    expect(await query(socket.client, WHOAMI)).toEqual({ data: { whoami: { verified: true, userId: 'socket-user' } } });

    // 61 s later for the gateway and the subgraph alike: past the default 60 s lifetime of
    // an assertion signed at connection_init, well within the token's 300 s.
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 61_000);
    expect(await query(socket.client, WHOAMI)).toEqual({ data: { whoami: { verified: true, userId: 'socket-user' } } });
    await socket.client.dispose();
  });
});

describe('revocation that cannot be checked', () => {
  let redisServer: OwnRedisServer;
  let stack: Stack;
  const UNCHECKED_CLOSE_MS = 1000;

  beforeAll(async () => {
    redisServer = await OwnRedisServer.start();
    stack = await startStack('development', {
      REDIS_URL: redisServer.url,
      REVOCATION_CHECK_MS: '100',
      REVOCATION_UNCHECKED_CLOSE_MS: String(UNCHECKED_CLOSE_MS),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await redisServer?.stop();
  });

  it('closes an open socket with 4503 once revocation could not be checked for longer than the bound, and refuses new ones', async () => {
    const { token } = await signToken('outage-user');
    const socket = openSocket(stack.gatewayUrl, token);
    await socket.connected;
    const stoppedAt = Date.now();
    await redisServer.stop();
    try {
      const closed = await socket.closed;
      const after = Date.now() - stoppedAt;
      expect(closed.code).toBe(4503);
      // Not at the first failed check, but once the bound has passed, and soon after it.
      expect(after).toBeGreaterThanOrEqual(UNCHECKED_CLOSE_MS - 200);
      expect(after).toBeLessThan(UNCHECKED_CLOSE_MS + 1500);
      expect(await status(stack, token)).toEqual({ status: 503, codes: ['SERVICE_UNAVAILABLE'] });
      const late = openSocket(stack.gatewayUrl, token);
      expect((await late.closed).code).toBe(4503);
    } finally {
      await redisServer.start();
    }
  });

  it('fails closed while Redis answers without the complete mark (restarted empty, not yet refilled by users)', async () => {
    const { token, jti } = await signToken('restart-user');
    await markRevocationListComplete(redisServer.url, testRedisPrefix);
    await waitFor(async () => (await status(stack, token)).status === 200, { what: 'the token to be accepted' });

    await redisServer.stop();
    await redisServer.start();
    // Redis is back, empty: absence of a revocation proves nothing yet.
    await waitFor(async () => {
      const answer = await status(stack, token);
      return answer.status === 503 && answer.codes[0] === 'SERVICE_UNAVAILABLE';
    }, { what: 'SERVICE_UNAVAILABLE from a reconnected gateway' });
    const anonymous = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: WHOAMI }),
    });
    expect(anonymous.status).toBe(200);

    // users refills the list and marks it complete: a revoked token is now told apart.
    const redis = createRedis(redisServer.url, testRedisPrefix);
    try {
      await redis.set(revocationKeys.token(jti), '1', 'EX', 60);
      await markRevocationListWhole(redis);
    } finally {
      redis.disconnect();
    }
    expect(await status(stack, token)).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect((await status(stack, (await signToken('restart-user')).token)).status).toBe(200);
  });
});
