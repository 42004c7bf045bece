import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { EnvReader, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, readKeyMaterial } from '@storegraph/common';
import { bearer, postGraphQL, SmtpSink, tokenOf, unique } from '@storegraph/common/testing';
import {
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshTokenDocument,
  RegisterDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
} from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { connect, failure, signUp, type StoregraphClient } from './support/client';

/**
 * An SDK client sends its stored token with every request. When that token has gone bad
 * (expired, revoked, garbage) the client must still be able to sign up, sign in, refresh
 * and log out, and reset a forgotten password; everything else keeps answering 401.
 */
describe('a client holding a bad token', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let smtp: SmtpSink;
  const badTokens: Record<string, () => Promise<string>> = {};

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    ({ stack, api } = await startShop({ env: { SMTP_URL: smtp.url } }));
    badTokens.garbage = async () => 'not-a-token';
    badTokens.expired = async () => {
      const keys = readKeyMaterial(new EnvReader(), 'development', { privateKey: true });
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ role: 'CUSTOMER', fam: randomUUID() })
        .setProtectedHeader({ alg: JWT_ALGORITHM })
        .setSubject(randomUUID())
        .setJti(randomUUID())
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt(now - 1000)
        .setExpirationTime(now - 100)
        .sign(await importPKCS8(keys.privateKeyPem!, JWT_ALGORITHM));
    };
    badTokens.revoked = async () => {
      const session = await signUp(api, 'Revoked');
      await session.client.request(LogoutDocument, { refreshToken: session.refreshToken });
      return session.accessToken;
    };
  });
  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
  });

  it.each(['garbage', 'expired', 'revoked'])('with a %s token: register, login, refreshToken and logout work; me gets 401', async (kind) => {
    const stale = connect(stack.url, await badTokens[kind]());

    const refused = await failure(stale.request(MeDocument, {}));
    expect({ status: refused.status, codes: refused.codes }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });

    const email = `${unique('recover')}@storegraph.test`;
    const { register } = await stale.request(RegisterDocument, { input: { email, password: 'correct-horse-1', name: 'Recovering' } });
    expect(register.user.email).toBe(email);
    const { login } = await stale.request(LoginDocument, { email, password: 'correct-horse-1' });
    expect(login.user.id).toBe(register.user.id);
    const { refreshToken } = await stale.request(RefreshTokenDocument, { refreshToken: login.refreshToken });
    expect(refreshToken.user.id).toBe(register.user.id);

    // The fresh pair works, then logout (still sent with the stale token) ends that login.
    const fresh = connect(stack.url, refreshToken.accessToken);
    expect((await fresh.request(MeDocument, {})).me?.email).toBe(email);
    expect(await stale.request(LogoutDocument, { refreshToken: refreshToken.refreshToken })).toEqual({ logout: true });
    expect((await failure(stale.request(RefreshTokenDocument, { refreshToken: refreshToken.refreshToken }))).codes).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect((await failure(fresh.request(MeDocument, {}))).status).toBe(401);
    // The other login of the same account lives on.
    expect((await connect(stack.url, register.accessToken).request(MeDocument, {})).me?.email).toBe(email);
  });

  it.each(['garbage', 'expired', 'revoked'])('with a %s token: requestPasswordReset and resetPassword work', async (kind) => {
    const stale = connect(stack.url, await badTokens[kind]());
    const session = await signUp(api, 'Forgetful');
    expect(await stale.request(RequestPasswordResetDocument, { email: session.email })).toEqual({ requestPasswordReset: true });
    const mail = await smtp.waitFor(session.email, 2); // after register's verification email
    const token = tokenOf(mail.links.find((link) => link.includes('/reset-password?'))!);
    const { resetPassword } = await stale.request(ResetPasswordDocument, { token, newPassword: 'remembered-at-last' });
    expect(resetPassword.user.id).toBe(session.userId);
    expect((await connect(stack.url, resetPassword.accessToken).request(MeDocument, {})).me?.id).toBe(session.userId);
  });

  it('refuses with 401 an operation that mixes a recovery mutation with anything else, running none of it', async () => {
    const session = await signUp(api, 'Mixed');
    const headers = bearer('not-a-token');
    const mixed = async (query: string) => {
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables: { email: session.email, refreshToken: session.refreshToken } }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
      return { status: response.status, data: body.data ?? null, codes: body.errors?.map((e) => e.extensions?.code) };
    };
    const refused = { status: 401, data: null, codes: ['UNAUTHENTICATED'] };

    expect(await mixed('mutation ($refreshToken: String!) { logout(refreshToken: $refreshToken) cancelOrder(id: "x") { id } }')).toEqual(refused);
    const throughFragment = `mutation ($refreshToken: String!) { ...Both }
      fragment Both on Mutation { logout(refreshToken: $refreshToken) addToCart(productId: "x", quantity: 1) { __typename } }`;
    expect(await mixed(throughFragment)).toEqual(refused);
    expect(await mixed('query { me { id } }')).toEqual(refused);
    // Nothing ran: the login the logout named is still alive.
    const { refreshToken } = await api.request(RefreshTokenDocument, { refreshToken: session.refreshToken });
    expect(refreshToken.user.id).toBe(session.userId);

    // Alone (with __typename), the recovery mutation runs.
    const alone = await postGraphQL<{ __typename: string; logout: boolean }>(
      stack.url,
      'mutation ($refreshToken: String!) { __typename logout(refreshToken: $refreshToken) }',
      { refreshToken: refreshToken.refreshToken },
      headers,
    );
    expect(alone).toEqual({ data: { __typename: 'Mutation', logout: true } });
  });
});
