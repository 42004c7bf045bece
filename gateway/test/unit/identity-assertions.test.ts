import { randomUUID } from 'node:crypto';
import { type Caller, JWT_CLOCK_TOLERANCE_SECONDS, verifyIdentity } from '@storegraph/common';
import { IdentityAssertions } from '../../src/identity-assertions';

const SECRET = 's'.repeat(40);

function caller(expiresInSeconds: number): Caller {
  return {
    userId: randomUUID(),
    role: 'CUSTOMER',
    tokenId: randomUUID(),
    tokenExpiresAt: Math.floor(Date.now() / 1000) + expiresInSeconds,
    familyId: randomUUID(),
  };
}

function expiryOf(header: string): number {
  return (JSON.parse(Buffer.from(header.split('.')[0], 'base64url').toString('utf8')) as { exp: number }).exp;
}

describe('IdentityAssertions', () => {
  afterEach(() => jest.restoreAllMocks());

  it('signs each call anew with the configured lifetime, so a context outlives any one assertion', () => {
    const context = new IdentityAssertions(SECRET, 5).context({ caller: caller(900), clientIp: '192.0.2.1' });
    const first = context.identityHeader();
    expect(expiryOf(first) - Math.floor(Date.now() / 1000)).toBe(5);

    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 10_000);
    expect(verifyIdentity(SECRET, first)).toBeNull();
    expect(verifyIdentity(SECRET, context.identityHeader())).toMatchObject({ caller: context.caller, clientIp: '192.0.2.1' });
  });

  it('never vouches past the access token it stands for, and not at all once it has expired', () => {
    const soon = caller(3);
    const context = new IdentityAssertions(SECRET, 60).context({ caller: soon, clientIp: null });
    expect(expiryOf(context.identityHeader())).toBe(soon.tokenExpiresAt + JWT_CLOCK_TOLERANCE_SECONDS);

    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + (3 + JWT_CLOCK_TOLERANCE_SECONDS + 1) * 1000);
    expect(() => context.assertStanding()).toThrow('Access token expired');
    expect(() => context.identityHeader()).toThrow('Access token expired');
  });

  it('vouches for anonymous callers for as long as asked', () => {
    const context = new IdentityAssertions(SECRET, 60).context({ caller: null, clientIp: '192.0.2.9' });
    expect(verifyIdentity(SECRET, context.identityHeader())).toEqual({ caller: null, clientIp: '192.0.2.9' });
  });
});
