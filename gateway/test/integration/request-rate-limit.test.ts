import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startStack, type Stack } from '../support/harness';

const WINDOW = 60;
const LIMIT = 3;

/** A documentation-range address of its own per use, sent as the trusted proxy would. */
let lastOctet = 0;
const freshIp = () => `198.51.100.${++lastOctet}`;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

async function post(url: string, clientIp: string, body = JSON.stringify({ query: '{ whoami { clientIp } }' })): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': clientIp },
    body,
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Answer['body'] };
}

/** Runs one operation over a graphql-ws socket opened from `clientIp`; its result or its errors. */
function overSocket(url: string, clientIp: string, query: string): Promise<{ data?: unknown; errors?: unknown }> {
  class FromAddress extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { 'x-forwarded-for': clientIp } });
    }
  }
  const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: FromAddress, retryAttempts: 0 });
  return new Promise<{ data?: unknown; errors?: unknown }>((resolve) => {
    client.subscribe(
      { query },
      { next: (result) => resolve(result), error: (errors) => resolve({ errors }), complete: () => undefined },
    );
  }).finally(() => client.dispose());
}

describe('requests per client address', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('production', {
      TRUST_PROXY: 'true',
      RATE_LIMIT_MULTIPLIER: '1',
      REQUEST_RATE_LIMIT: String(LIMIT),
      REQUEST_RATE_WINDOW_SECONDS: String(WINDOW),
    });
  });
  afterAll(() => stack?.stop());

  it('answers 429 with Retry-After and RATE_LIMITED once the allowance is spent; another address is served', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i += 1) {
      const served = await post(stack.gatewayUrl, ip);
      expect(served.status).toBe(200);
      expect(served.body).toEqual({ data: { whoami: { clientIp: ip } } });
    }
    const refused = await post(stack.gatewayUrl, ip);
    expect(refused.status).toBe(429);
    const seconds = Number(refused.retryAfter);
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(WINDOW);
    expect(refused.body).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds } }],
    });

    expect((await post(stack.gatewayUrl, freshIp())).status).toBe(200);
  });

  it('refuses before reading the request: a malformed body is counted and refused alike', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i += 1) expect((await post(stack.gatewayUrl, ip, '{ not json')).status).toBe(400);
    expect((await post(stack.gatewayUrl, ip, '{ not json')).status).toBe(429);
  });

  it('counts operations over a WebSocket against the same allowance as HTTP requests', async () => {
    const ip = freshIp();
    expect((await post(stack.gatewayUrl, ip)).status).toBe(200);
    for (let i = 1; i < LIMIT; i += 1) {
      expect(await overSocket(stack.gatewayUrl, ip, '{ whoami { clientIp } }')).toEqual({ data: { whoami: { clientIp: ip } } });
    }
    const refused = await overSocket(stack.gatewayUrl, ip, '{ whoami { clientIp } }');
    expect(refused).toEqual({
      errors: [
        { message: expect.any(String), extensions: { code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) } },
      ],
    });
    expect((await post(stack.gatewayUrl, ip)).status).toBe(429);
  });
});
