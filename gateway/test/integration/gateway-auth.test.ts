import { Redis } from 'ioredis';
import { createRedis, IDENTITY_HEADER, revocationKeys, signIdentity } from '@storegraph/common';
import { bearer, codes, type GraphQLResponse, postGraphQL, testRedisPrefix } from '@storegraph/common/testing';
import { startStack, type Stack } from '../support/harness';
import { testKeys, foreignKey, signToken } from '../support/tokens';

interface WhoAmI {
  whoami: {
    verified: boolean;
    userId: string | null;
    role: string | null;
    tokenId: string | null;
    familyId: string | null;
    clientIp: string | null;
    internalHeaders: string[];
  };
}

const WHOAMI = '{ whoami { verified userId role tokenId familyId clientIp internalHeaders } }';

let stack: Stack;
let redis: Redis;

beforeAll(async () => {
  stack = await startStack('development');
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', testRedisPrefix);
});

afterAll(async () => {
  await stack?.stop();
  await redis?.quit();
});

async function post(headers: Record<string, string>) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: WHOAMI }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<WhoAmI> };
}

describe('gateway authentication', () => {
  it('serves a request without a token as anonymous, still vouched for by the gateway', async () => {
    const res = await postGraphQL<WhoAmI>(stack.gatewayUrl, WHOAMI);
    expect(res.errors).toBeUndefined();
    expect(res.data?.whoami).toEqual({
      verified: true,
      userId: null,
      role: null,
      tokenId: null,
      familyId: null,
      clientIp: '127.0.0.1',
      internalHeaders: [IDENTITY_HEADER],
    });
  });

  it('propagates a valid token as the caller to the subgraph', async () => {
    const { token, jti, fam } = await signToken('user-1', { role: 'ADMIN' });
    const res = await postGraphQL<WhoAmI>(stack.gatewayUrl, WHOAMI, {}, bearer(token));
    expect(res.errors).toBeUndefined();
    expect(res.data?.whoami).toMatchObject({ verified: true, userId: 'user-1', role: 'ADMIN', tokenId: jti, familyId: fam });
  });

  it('drops identity headers a client sends, even a correctly signed one', async () => {
    const forged = signIdentity(testKeys().gatewaySecret, {
      caller: { userId: 'intruder', role: 'ADMIN', tokenId: 't', tokenExpiresAt: 9_999_999_999, familyId: 'f' },
      clientIp: '10.0.0.1',
    });
    const res = await postGraphQL<WhoAmI>(stack.gatewayUrl, WHOAMI, {}, {
      [IDENTITY_HEADER]: forged,
      'x-storegraph-debug': 'yes',
    });
    expect(res.data?.whoami).toMatchObject({ verified: true, userId: null, role: null, clientIp: '127.0.0.1' });
    expect(res.data?.whoami.internalHeaders).toEqual([IDENTITY_HEADER]);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is on', async () => {
    const res = await postGraphQL<WhoAmI>(stack.gatewayUrl, WHOAMI, {}, { 'x-forwarded-for': '203.0.113.9' });
    expect(res.data?.whoami.clientIp).toBe('127.0.0.1');
  });

  const refusals: Array<[string, () => Promise<Record<string, string>>]> = [
    ['not a Bearer scheme', async () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
    ['a garbage token', async () => bearer('not.a.jwt')],
    ['an expired token', async () => bearer((await signToken('user-1', { expiresIn: -60 })).token)],
    ['a token for another audience', async () => bearer((await signToken('user-1', { audience: 'someone-else' })).token)],
    ['a token from another issuer', async () => bearer((await signToken('user-1', { issuer: 'evil' })).token)],
    ['a token signed with an unknown key', async () => bearer((await signToken('user-1', { key: await foreignKey() })).token)],
  ];

  it.each(refusals)('refuses %s with 401 UNAUTHENTICATED', async (_what, headers) => {
    const res = await post(await headers());
    expect(res.status).toBe(401);
    expect(res.body.data ?? null).toBeNull();
    expect(codes(res.body)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a revoked access token (logout)', async () => {
    const { token, jti } = await signToken('user-2');
    expect((await post(bearer(token))).status).toBe(200);
    await redis.set(revocationKeys.token(jti), '1', 'EX', 60);
    const res = await post(bearer(token));
    expect(res.status).toBe(401);
    expect(codes(res.body)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses every token of a revoked login (refresh-token reuse)', async () => {
    const { token, fam } = await signToken('user-3');
    await redis.set(revocationKeys.family(fam), '1', 'EX', 60);
    const res = await post(bearer(token));
    expect(res.status).toBe(401);
    expect(codes(res.body)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('gateway errors in development', () => {
  it('passes a subgraph error code and its extensions through', async () => {
    const res = await postGraphQL(stack.gatewayUrl, '{ fail(code: "RATE_LIMITED") }');
    expect(res.errors?.[0]).toMatchObject({
      message: 'refused with RATE_LIMITED',
      path: ['fail'],
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 7 },
    });
  });
});
