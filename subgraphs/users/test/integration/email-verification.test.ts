import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { codes, freeTcpPort, SmtpSink, tokenOf, unique } from '@storegraph/common/testing';
import { AUTH_FIELDS, UsersHarness, type AuthPayloadShape } from '../support/users-harness';

const STOREFRONT = 'https://shop.example.test';
const RESEND_LIMIT = 2;
const VERIFY = 'mutation ($t: String!) { verifyEmail(token: $t) { id email emailVerified } }';
const RESEND = 'mutation { requestEmailVerification }';
const ME = '{ me { id emailVerified } }';
const USER = 'query ($id: ID!) { user(id: $id) { id emailVerified } }';

describe('email verification', () => {
  let smtp: SmtpSink;
  let users: UsersHarness;
  beforeAll(async () => {
    smtp = await SmtpSink.start();
    users = await UsersHarness.start({
      SMTP_URL: smtp.url,
      STOREFRONT_URL: STOREFRONT,
      RATE_LIMIT_MULTIPLIER: '1',
      EMAIL_VERIFICATION_RATE_LIMIT: String(RESEND_LIMIT),
    });
  });
  afterAll(async () => {
    await users.stop();
    await smtp.stop();
  });

  const verify = (t: string) => users.call<{ verifyEmail: { id: string; email: string; emailVerified: boolean } }>(VERIFY, { t });
  const callerOf = (auth: AuthPayloadShape) => users.callerOf(auth.accessToken);

  async function registered(prefix: string) {
    const email = `${unique(prefix)}@example.com`;
    const auth = await users.register(email, 'correct horse battery', 'Vera Fy');
    const mail = await smtp.waitFor(email);
    return { email, auth, mail, token: tokenOf(mail.links[0]) };
  }

  it('register emails a verification link (text and HTML); verifyEmail sets emailVerified once', async () => {
    const { email, auth, mail, token } = await registered('verify');
    expect(mail.to).toEqual([email]);
    expect(mail.subject).toBe('Confirm your email address for Storegraph');
    expect(mail.links).toEqual([`${STOREFRONT}/verify-email?token=${encodeURIComponent(token)}`]);
    expect(mail.text).toContain('24 hours');
    expect(mail.html).toContain(`href="${STOREFRONT}/verify-email?token=${encodeURIComponent(token)}"`);
    const caller = await callerOf(auth);
    expect((await users.call(ME, {}, { caller })).data).toEqual({ me: { id: auth.user.id, emailVerified: false } });

    // anyone holding the token may use it (the link is opened in any browser)
    expect(await verify(token)).toEqual({ data: { verifyEmail: { id: auth.user.id, email, emailVerified: true } } });
    expect((await users.call(ME, {}, { caller })).data).toEqual({ me: { id: auth.user.id, emailVerified: true } });
    const again = await verify(token);
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.errors![0].extensions!.field).toBe('token');
  });

  it('refuses expired, unknown, malformed and password-reset tokens with BAD_USER_INPUT, changing nothing', async () => {
    const { auth, token } = await registered('verify-bad');
    await users.sql("update email_tokens set expires_at = now() - interval '1 second' where id = ?", [token.split('.')[0]]);
    for (const bad of [token, 'nonsense', `${auth.user.id}.${'A'.repeat(43)}`]) expect(codes(await verify(bad))).toEqual(['BAD_USER_INPUT']);
    await users.call('mutation ($e: String!) { requestPasswordReset(email: $e) }', { e: auth.user.email }, { clientIp: '192.0.2.77' });
    const reset = tokenOf((await smtp.waitFor(auth.user.email, 2)).links[0]);
    expect(codes(await verify(reset))).toEqual(['BAD_USER_INPUT']);
    const [row] = await users.sql<{ email_verified: boolean }>('select email_verified from users where id = ?', [auth.user.id]);
    expect(row.email_verified).toBe(false);
  });

  it('requestEmailVerification sends a new link (rate limited per user); false once verified', async () => {
    const { email, auth } = await registered('resend');
    const caller = await callerOf(auth);
    for (let i = 0; i < RESEND_LIMIT; i += 1) expect(await users.call(RESEND, {}, { caller })).toEqual({ data: { requestEmailVerification: true } });
    const limited = await users.call(RESEND, {}, { caller });
    expect(codes(limited)).toEqual(['RATE_LIMITED']);
    const newest = await smtp.waitFor(email, 1 + RESEND_LIMIT);
    expect(codes(await verify(tokenOf(newest.links[0])))).toEqual([]);
    expect(await users.call(RESEND, {}, { caller })).toEqual({ data: { requestEmailVerification: false } });
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.to(email)).toHaveLength(1 + RESEND_LIMIT);
  });

  it('requestEmailVerification is for signed-in callers only', async () => {
    expect(codes(await users.call(RESEND))).toEqual(['UNAUTHENTICATED']);
  });

  it('User.emailVerified: owner or ADMIN only', async () => {
    const { auth } = await registered('visibility');
    const other = await users.register(`${unique('other')}@example.com`);
    const stranger = await callerOf(other);
    const admin = { ...stranger, role: 'ADMIN' as const };
    expect(codes(await users.call(USER, { id: auth.user.id }, { caller: admin }))).toEqual([]);
    expect((await users.call(USER, { id: auth.user.id }, { caller: admin })).data).toEqual({ user: { id: auth.user.id, emailVerified: false } });
    // another user may not look: through the API their User object is already refused or null
    expect(codes(await users.call(USER, { id: auth.user.id }, { caller: stranger }))).toEqual(['FORBIDDEN']);
    const entities = await users.call(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { emailVerified } } }',
      { r: [{ __typename: 'User', id: auth.user.id }] },
      { caller: stranger },
    );
    expect(entities.data).toEqual({ _entities: [null] });
  });

  it('verifyEmail answers an anonymous holder of the token with the field (the token proves the mailbox)', async () => {
    const { auth, token } = await registered('anon-verify');
    expect(await verify(token)).toEqual({ data: { verifyEmail: { id: auth.user.id, email: auth.user.email, emailVerified: true } } });
  });
});

describe('email delivery when SMTP is down or absent', () => {
  it('register neither fails nor waits when the SMTP server is unreachable (the failure is logged)', async () => {
    const port = await freeTcpPort(); // nothing listens there
    const users = await UsersHarness.start({ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_TIMEOUT_MS: '5000' });
    try {
      const start = Date.now();
      const auth = await users.register(`${unique('nosmtp')}@example.com`);
      expect(auth.user.id).toBeDefined();
      expect(Date.now() - start).toBeLessThan(2000);
      // the token is there: requestEmailVerification can send another when mail is back
      const [row] = await users.sql<{ n: string }>('select count(*) as n from email_tokens where user_id = ?', [auth.user.id]);
      expect(Number(row.n)).toBe(1);
    } finally {
      await users.stop();
    }
  });

  it('register succeeds when the SMTP server refuses the message', async () => {
    const smtp = await SmtpSink.start();
    smtp.refuse = true;
    const users = await UsersHarness.start({ SMTP_URL: smtp.url });
    try {
      const email = `${unique('refused')}@example.com`;
      await users.register(email);
      expect(await users.countUsers(email)).toBe(1);
    } finally {
      await users.stop();
      await smtp.stop();
    }
  });

  it('without SMTP_URL (development) writes each email as an .eml file to MAIL_FOLDER', async () => {
    const folder = join(tmpdir(), unique('storegraph-mail'));
    const users = await UsersHarness.start({ MAIL_FOLDER: folder, STOREFRONT_URL: STOREFRONT });
    try {
      const email = `${unique('devmail')}@example.com`;
      await users.register(email, 'correct horse battery', 'Dev <b>Mail</b>');
      await users.app.stop(); // drains the emails in hand
      const files = await readdir(folder);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      const eml = await simpleParser(await readFile(join(folder, files[0])));
      expect(eml.to).toMatchObject({ text: email });
      expect(eml.text).toContain(`${STOREFRONT}/verify-email?token=`);
      expect(eml.html).toContain('Dev &lt;b&gt;Mail&lt;/b&gt;');
    } finally {
      await users.redis.quit();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
