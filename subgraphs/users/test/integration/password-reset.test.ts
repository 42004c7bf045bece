import { revocationKeys } from '@storegraph/common';
import { codes, SmtpSink, tokenOf, unique } from '@storegraph/common/testing';
import { AUTH_FIELDS, UsersHarness, type AuthPayloadShape } from '../support/users-harness';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const STOREFRONT = 'https://shop.example.test';
const RESET_LIMIT = 3;
const ADDRESS_LIMIT = 4;
const REQUEST = 'mutation ($email: String!) { requestPasswordReset(email: $email) }';
const RESET = `mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;

let lastOctet = 0;
const freshIp = () => `198.51.100.${++lastOctet}`;

describe('password reset', () => {
  let smtp: SmtpSink;
  let users: UsersHarness;
  beforeAll(async () => {
    smtp = await SmtpSink.start();
    users = await UsersHarness.start({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Shop <help@shop.example.test>',
      STOREFRONT_URL: `${STOREFRONT}/`,
      RATE_LIMIT_MULTIPLIER: '1',
      PASSWORD_RESET_RATE_LIMIT: String(RESET_LIMIT),
      PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS: String(ADDRESS_LIMIT),
    });
  });
  afterAll(async () => {
    await users.stop();
    await smtp.stop();
  });

  const request = (email: string, clientIp = freshIp()) => users.call<{ requestPasswordReset: boolean }>(REQUEST, { email }, { clientIp });
  const reset = (t: string, p = NEW_PASSWORD) => users.call<{ resetPassword: AuthPayloadShape }>(RESET, { t, p });
  const login = (email: string, password: string) =>
    users.call<{ login: AuthPayloadShape }>(LOGIN, { email, password }, { clientIp: freshIp() });
  const refresh = (t: string) => users.call<{ refreshToken: AuthPayloadShape }>(REFRESH, { t });

  /** Registers, asks for a reset, returns the emailed token (and the account). */
  async function resetToken(prefix: string, name = 'Reset Me') {
    const email = `${unique(prefix)}@example.com`;
    const auth = await users.register(email, PASSWORD, name);
    await smtp.waitFor(email, 1); // the verification email of register
    expect(await request(`  ${email.toUpperCase()} `)).toEqual({ data: { requestPasswordReset: true } });
    const mail = await smtp.waitFor(email, 2);
    return { email, auth, mail, token: tokenOf(mail.links.find((l) => l.startsWith(`${STOREFRONT}/reset-password`))!) };
  }

  it('a disabled account gets no login from a reset link (FORBIDDEN) and its password stays', async () => {
    const { email, auth, token } = await resetToken('reset-disabled');
    await users.sql('update users set disabled = true where id = ?', [auth.user.id]);
    expect(codes(await reset(token))).toEqual(['FORBIDDEN']);
    expect(codes(await login(email, NEW_PASSWORD))).toEqual(['UNAUTHENTICATED']);
    // Refused whole: once enabled again, the link still works.
    await users.sql('update users set disabled = false where id = ?', [auth.user.id]);
    expect((await reset(token)).data!.resetPassword.user.id).toBe(auth.user.id);
  });

  it('emails a link to <STOREFRONT_URL>/reset-password with a token, from MAIL_FROM, in text and HTML', async () => {
    const { email, mail, token } = await resetToken('reset-mail');
    expect(mail.to).toEqual([email]);
    expect(mail.from).toBe('help@shop.example.test');
    expect(mail.subject).toBe('Reset your Storegraph password');
    expect(mail.links).toEqual([`${STOREFRONT}/reset-password?token=${encodeURIComponent(token)}`]);
    expect(mail.text).toContain('Hello Reset Me');
    expect(mail.text).toContain('1 hour');
    expect(mail.html).toContain(`href="${STOREFRONT}/reset-password?token=${encodeURIComponent(token)}"`);
    // only a hash of the token is stored
    const rows = await users.sql<{ secret_hash: string }>('select secret_hash from email_tokens where purpose = ?', ['password_reset']);
    expect(rows.some((r) => token.includes(r.secret_hash))).toBe(false);
    expect(JSON.stringify(rows)).not.toContain(token.split('.')[1]);
  });

  it('escapes the name in the HTML part (no markup injection)', async () => {
    const { mail } = await resetToken('reset-xss', '<a href="https://evil.test">Click</a> & co');
    expect(mail.html).not.toContain('<a href="https://evil.test">');
    expect(mail.html).toContain('&lt;a href=&quot;https://evil.test&quot;&gt;Click&lt;/a&gt; &amp; co');
    expect(mail.text).toContain('<a href="https://evil.test">Click</a> & co');
  });

  it('sets the password, ends every login durably, returns a new login; the link then stops working', async () => {
    const { email, auth, token } = await resetToken('reset-ok');
    const second = (await login(email, PASSWORD)).data!.login;
    const families = [(await users.callerOf(auth.accessToken)).familyId, (await users.callerOf(second.accessToken)).familyId];

    const res = await reset(token);
    expect(res.errors).toBeUndefined();
    const fresh = res.data!.resetPassword;
    expect(fresh.user).toEqual(auth.user);
    expect(families).not.toContain((await users.callerOf(fresh.accessToken)).familyId);

    expect(codes(await login(email, PASSWORD))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await login(email, NEW_PASSWORD))).toEqual([]);
    for (const t of [auth.refreshToken, second.refreshToken]) expect(codes(await refresh(t))).toEqual(['UNAUTHENTICATED']);
    for (const familyId of families) expect(await users.redis.get(revocationKeys.family(familyId))).not.toBeNull();
    expect(codes(await refresh(fresh.refreshToken))).toEqual([]);
    // following the link proved the mailbox
    const [row] = await users.sql<{ email_verified: boolean }>('select email_verified from users where id = ?', [auth.user.id]);
    expect(row.email_verified).toBe(true);

    // single use
    const again = await reset(token, 'yet another passphrase');
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.errors![0].extensions!.field).toBe('token');
    expect(codes(await login(email, NEW_PASSWORD))).toEqual([]);
  });

  it('one reset uses up the other links of the account', async () => {
    const { email, token: first } = await resetToken('reset-two');
    await request(email);
    const second = tokenOf((await smtp.waitFor(email, 3)).links[0]);
    expect(codes(await reset(second))).toEqual([]);
    expect(codes(await reset(first))).toEqual(['BAD_USER_INPUT']);
  });

  it('of two concurrent uses of one link exactly one wins', async () => {
    const { token } = await resetToken('reset-race');
    const results = await Promise.all([reset(token, 'first racer password'), reset(token, 'second racer password')]);
    expect(results.map((r) => codes(r)[0] ?? 'OK').sort()).toEqual(['BAD_USER_INPUT', 'OK']);
  });

  it('refuses an expired link (BAD_USER_INPUT), changing nothing', async () => {
    const { email, auth, token } = await resetToken('reset-expired');
    await users.sql("update email_tokens set expires_at = now() - interval '1 second' where id = ?", [token.split('.')[0]]);
    expect(codes(await reset(token))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await login(email, PASSWORD))).toEqual([]);
    expect(codes(await refresh(auth.refreshToken))).toEqual([]);
  });

  it('refuses unknown, malformed, tampered and verification tokens with BAD_USER_INPUT', async () => {
    const { token } = await resetToken('reset-bad');
    const [id, secret] = token.split('.');
    const verification = tokenOf((await smtp.waitFor((await users.register(`${unique('vtok')}@example.com`)).user.email)).links[0]);
    const tampered = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of ['', 'nonsense', `${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}.${secret}`, tampered, verification]) {
      const res = await reset(bad);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    }
    // the real token still works after all that
    expect(codes(await reset(token))).toEqual([]);
  });

  it('refuses a short or over-long new password (field newPassword) without using up the link', async () => {
    const { token } = await resetToken('reset-short');
    for (const p of ['short', 'x'.repeat(1025)]) {
      const res = await reset(token, p);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].extensions!.field).toBe('newPassword');
    }
    expect(codes(await reset(token))).toEqual([]);
  });

  it('answers true for an address with no account and sends nothing', async () => {
    const nobody = `${unique('nobody')}@example.com`;
    expect(await request(nobody)).toEqual({ data: { requestPasswordReset: true } });
    // a would-be email has time to arrive: a known address's does within this
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to(nobody)).toEqual([]);
  });

  it('refuses a malformed email with BAD_USER_INPUT (no account is looked up for it)', async () => {
    expect(codes(await request('not an email'))).toEqual(['BAD_USER_INPUT']);
  });

  it('is rate limited per email (known or not, alike) and per client address', async () => {
    const known = `${unique('limited')}@example.com`;
    await users.register(known);
    const unknown = `${unique('limited-unknown')}@example.com`;
    for (const email of [known, unknown]) {
      for (let i = 0; i < RESET_LIMIT; i += 1) expect(codes(await request(email))).toEqual([]);
      const limited = await request(email);
      expect(codes(limited)).toEqual(['RATE_LIMITED']);
      expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    }
    const ip = freshIp();
    for (let i = 0; i < ADDRESS_LIMIT; i += 1) expect(codes(await request(`${unique('spray')}@example.com`, ip))).toEqual([]);
    expect(codes(await request(`${unique('spray')}@example.com`, ip))).toEqual(['RATE_LIMITED']);
  });

  it('answers in the same time whether or not the account exists', async () => {
    const known = `${unique('timing')}@example.com`;
    await users.register(known);
    const unknown = `${unique('timing-unknown')}@example.com`;
    const rounds = 3; // within RESET_LIMIT per email
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const time = async (email: string) => {
      const start = process.hrtime.bigint();
      expect(codes(await request(email))).toEqual([]);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const knownMs: number[] = [];
    const unknownMs: number[] = [];
    // A slow SMTP server: an answer that waited for the email would take 400 ms longer
    // for an existing account, far beyond the noise of a loaded 2-core machine.
    smtp.delayMs = 400;
    try {
      for (let i = 0; i < rounds; i += 1) {
        knownMs.push(await time(known));
        unknownMs.push(await time(unknown));
      }
      await smtp.waitFor(known, 1 + rounds); // register's email + one per request: they were sent
    } finally {
      smtp.delayMs = 0;
    }
    expect(Math.abs(median(knownMs) - median(unknownMs))).toBeLessThan(150);
    expect(median(knownMs)).toBeLessThan(400);
  });
});
