import 'reflect-metadata';
import { hasCode, type Caller } from '@storegraph/common';
import type { UsersContext } from '../../src/context';
import { User } from '../../src/entities';
import { renderEmail } from '../../src/mail/templates';
import { EmailResolver } from '../../src/resolvers/email.resolver';

/** Like User.addresses: the field's own check holds whatever path hands out a User. */
describe('User.emailVerified', () => {
  const owner = Object.assign(new User(), { id: '0190a000-0000-7000-8000-000000000001', emailVerified: true });
  const caller = (userId: string, role: Caller['role']): Caller => ({ userId, role, tokenId: 't', tokenExpiresAt: 0, familyId: 'f' });
  const context = (who: Caller | null, proven: string[] = []) => ({ caller: who, provenUsers: new Set(proven) }) as unknown as UsersContext;

  it('is FORBIDDEN to a signed-in user who is not the owner, and to anonymous callers', () => {
    for (const who of [caller('0190a000-0000-7000-8000-000000000002', 'CUSTOMER'), null]) {
      let error: unknown;
      try {
        new EmailResolver().emailVerified(owner, context(who));
      } catch (err) {
        error = err;
      }
      expect(hasCode(error, 'FORBIDDEN')).toBe(true);
    }
  });

  it('is served to the owner, an ADMIN, and a request that proved the user with an emailed token', () => {
    const resolver = new EmailResolver();
    expect(resolver.emailVerified(owner, context(caller(owner.id, 'CUSTOMER')))).toBe(true);
    expect(resolver.emailVerified(owner, context(caller('0190a000-0000-7000-8000-000000000003', 'ADMIN')))).toBe(true);
    expect(resolver.emailVerified(owner, context(null, [owner.id]))).toBe(true);
  });
});

describe('email templates', () => {
  it('escape every value in the HTML part and keep the subject on one line', () => {
    const email = renderEmail('verify-email', { name: '<script>"x"&\'y\'</script>', link: 'https://s.test/verify-email?token=a&b', validFor: '24 hours' });
    expect(email.html).toContain('&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;');
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('href="https://s.test/verify-email?token=a&amp;b"');
    expect(email.text).toContain('<script>"x"&\'y\'</script>');
    expect(email.subject).not.toMatch(/\n/);
  });
});
