import { SmtpSink, tokenOf } from '@storegraph/common/testing';
import {
  LoginDocument,
  MeDocument,
  MyEmailVerifiedDocument,
  RefreshTokenDocument,
  RequestEmailVerificationDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  VerifyEmailDocument,
} from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { connect, failure, logIn, signUp, type StoregraphClient } from './support/client';

const PASSWORD = 'correct-horse-1';
const NEW_PASSWORD = 'a-reset-passphrase-3';
const STOREFRONT = 'https://shop.example.test';

/** The links a shopper gets by email, followed through the gateway with the SDK, delivered to a real SMTP server. */
describe('emailed links through the gateway', () => {
  let smtp: SmtpSink;
  let stack: Stack;
  let api: StoregraphClient;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    ({ stack, api } = await startShop({ env: { SMTP_URL: smtp.url, STOREFRONT_URL: STOREFRONT, MAIL_FROM: 'shop@shop.example.test' } }));
  });
  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
  });

  const linkOf = (links: string[], path: string) => links.find((link) => link.startsWith(`${STOREFRONT}${path}?token=`))!;

  it('register → verification email → verifyEmail with its token → emailVerified; the token then refused', async () => {
    const shopper = await signUp(api, 'Verifying Shopper');
    expect(await shopper.client.request(MyEmailVerifiedDocument, {})).toEqual({ me: { id: shopper.userId, emailVerified: false } });

    const mail = await smtp.waitFor(shopper.email);
    expect(mail.from).toBe('shop@shop.example.test');
    expect(mail.subject).toBe('Confirm your email address for Storegraph');
    const link = linkOf(mail.links, '/verify-email');
    expect(mail.html).toContain(`href="${link}"`);

    const { verifyEmail } = await shopper.client.request(VerifyEmailDocument, { token: tokenOf(link) });
    expect(verifyEmail).toMatchObject({ id: shopper.userId, emailVerified: true });
    expect(await shopper.client.request(MyEmailVerifiedDocument, {})).toEqual({ me: { id: shopper.userId, emailVerified: true } });
    expect((await failure(api.request(VerifyEmailDocument, { token: tokenOf(link) }))).codes).toEqual(['BAD_USER_INPUT']);
    // verified: asking again sends nothing
    expect(await shopper.client.request(RequestEmailVerificationDocument, {})).toEqual({ requestEmailVerification: false });
  });

  it('requestPasswordReset → email → resetPassword: old password and old sessions out, new password in, token single use', async () => {
    const shopper = await signUp(api, 'Forgetful Shopper');
    const elsewhere = await logIn(api, shopper.email, PASSWORD);
    await smtp.waitFor(shopper.email); // register's verification email

    expect(await api.request(RequestPasswordResetDocument, { email: shopper.email })).toEqual({ requestPasswordReset: true });
    const mail = await smtp.waitFor(shopper.email, 2);
    expect(mail.subject).toBe('Reset your Storegraph password');
    const token = tokenOf(linkOf(mail.links, '/reset-password'));

    const { resetPassword } = await api.request(ResetPasswordDocument, { token, newPassword: NEW_PASSWORD });
    expect(resetPassword.user.id).toBe(shopper.userId);

    expect((await failure(api.request(LoginDocument, { email: shopper.email, password: PASSWORD }))).codes).toEqual(['UNAUTHENTICATED']);
    for (const old of [shopper, elsewhere]) {
      const refused = await failure(connect(stack.url, old.accessToken).request(MeDocument, {}));
      expect({ status: refused.status, codes: refused.codes }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
      expect((await failure(api.request(RefreshTokenDocument, { refreshToken: old.refreshToken }))).codes).toEqual(['UNAUTHENTICATED']);
    }
    expect((await connect(stack.url, resetPassword.accessToken).request(MeDocument, {})).me?.id).toBe(shopper.userId);
    expect((await logIn(api, shopper.email, NEW_PASSWORD)).userId).toBe(shopper.userId);

    const reused = await failure(api.request(ResetPasswordDocument, { token, newPassword: 'another-passphrase-4' }));
    expect(reused.codes).toEqual(['BAD_USER_INPUT']);
  });

  it('requestPasswordReset for an unknown address answers true and sends nothing', async () => {
    const nobody = `nobody-${Date.now()}@storegraph.test`;
    expect(await api.request(RequestPasswordResetDocument, { email: nobody })).toEqual({ requestPasswordReset: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.to(nobody)).toEqual([]);
  });
});
