import { codes, postGraphQL } from '@storegraph/common/testing';
import { startStack, type Stack } from '../support/harness';
import { RawSocket } from '../support/ws-client';

const INTROSPECTION = '{ __schema { queryType { name } } }';
/** A misspelt field and a misspelt argument: graphql-js guesses the right names from the schema. */
const TYPOS = '{ whoami { userd } fail(cod: "X") }';

/** The messages of TYPOS over HTTP and over a socket. */
async function typoMessages(stack: Stack): Promise<{ http: string[]; ws: string[] }> {
  const http = await postGraphQL(stack.gatewayUrl, TYPOS);
  expect(codes(http)).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED']);
  const socket = new RawSocket(stack.gatewayUrl);
  try {
    expect(await socket.init()).toBe('ack');
    const outcome = await socket.request('1', TYPOS);
    expect(outcome.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED']);
    return { http: http.errors!.map((e) => e.message), ws: outcome.errors!.map((e) => e.message) };
  } finally {
    await socket.close();
  }
}

async function getHtml(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { headers: { accept: 'text/html' } });
  return { status: response.status, text: await response.text() };
}

describe('gateway in development', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('development');
  });
  afterAll(() => stack?.stop());

  it('serves Apollo Sandbox as the landing page', async () => {
    const page = await getHtml(stack.gatewayUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('embeddable-sandbox');
  });

  it('answers introspection', async () => {
    const res = await postGraphQL<{ __schema: { queryType: { name: string } } }>(stack.gatewayUrl, INTROSPECTION);
    expect(res.data?.__schema.queryType.name).toBe('Query');
  });

  it('suggests field and argument names, over HTTP and WebSocket', async () => {
    const messages = await typoMessages(stack);
    expect(messages.http).toEqual([
      'Cannot query field "userd" on type "Echo". Did you mean "userId"?',
      'Unknown argument "cod" on field "Query.fail". Did you mean "code"?',
    ]);
    expect(messages.ws).toEqual(messages.http);
  });

  it('answers /health, and /ready while the subgraph answers', async () => {
    const base = new URL(stack.gatewayUrl);
    expect((await fetch(new URL('/health', base))).status).toBe(200);
    const ready = await fetch(new URL('/ready', base));
    expect(ready.status).toBe(200);
  });
});

describe('gateway in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('production');
  });
  afterAll(() => stack?.stop());

  it('refuses introspection', async () => {
    const res = await postGraphQL(stack.gatewayUrl, INTROSPECTION);
    expect(res.data ?? null).toBeNull();
    expect(codes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('suggests no field or argument names, over HTTP or WebSocket', async () => {
    const messages = await typoMessages(stack);
    expect(messages.http).toEqual(['Cannot query field "userd" on type "Echo".', 'Unknown argument "cod" on field "Query.fail".']);
    expect(messages.ws).toEqual(messages.http);
  });

  it('serves no landing page', async () => {
    const page = await getHtml(stack.gatewayUrl);
    expect(page.text).not.toContain('embeddable-sandbox');
    expect(page.text).not.toContain('<html');
  });

  it('refuses a bad token with 401 UNAUTHENTICATED and no stack trace', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.jwt' },
      body: JSON.stringify({ query: '{ whoami { verified } }' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Access token is invalid or expired', extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it('keeps contract codes and their extensions, without the subgraph name', async () => {
    const res = await postGraphQL(stack.gatewayUrl, '{ fail(code: "BAD_USER_INPUT") }');
    expect(res.errors).toEqual([
      { message: 'refused with BAD_USER_INPUT', path: ['fail'], extensions: { code: 'BAD_USER_INPUT', retryAfterSeconds: 7 } },
    ]);
  });

  it('masks an internal failure: no message, host or stack trace', async () => {
    const res = await postGraphQL(stack.gatewayUrl, '{ fail }');
    expect(res.errors).toEqual([{ message: 'Internal server error', path: ['fail'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  });
});

describe('gateway readiness', () => {
  it('is alive but not ready while a subgraph is down', async () => {
    const stack = await startStack('development');
    try {
      await stack.echo.stop();
      const base = new URL(stack.gatewayUrl);
      expect((await fetch(new URL('/health', base))).status).toBe(200);
      const ready = await fetch(new URL('/ready', base));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'not ready', reason: 'subgraphs not ready: echo' });
    } finally {
      await stack.gateway.stop();
    }
  });
});
