import { hashPassword, spendPasswordCheck, verifyPassword } from '../../src/services/password.service';

describe('password hashing', () => {
  it('stores a self-describing scrypt hash with a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hashPassword('s3cret password'), hashPassword('s3cret password')]);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    expect(a).not.toBe(b);
  });

  it('accepts the password and refuses any other', async () => {
    const stored = await hashPassword('s3cret password');
    expect(await verifyPassword('s3cret password', stored)).toBe(true);
    expect(await verifyPassword('s3cret passwore', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('treats Unicode spellings of one password as the same (NFKC)', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword('cafe\u0301 au lait', stored)).toBe(true);
  });

  it('verifies hashes made with other parameters (the cost can be raised later)', async () => {
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('old password', salt, 32, { N: 1024, r: 8, p: 1 });
    const stored = `scrypt$1024$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(await verifyPassword('old password', stored)).toBe(true);
  });

  it.each(['', 'plain', 'bcrypt$x$y$z$a$b', 'scrypt$0$8$1$c2FsdA$a2V5', 'scrypt$16384$8$1$$a2V5', 'scrypt$99999999$8$1$c2FsdA$a2V5'])(
    'refuses a malformed stored hash %p without throwing',
    async (stored) => {
      expect(await verifyPassword('whatever', stored)).toBe(false);
    },
  );

  it('spends a check for unknown accounts and always fails it', async () => {
    expect(await spendPasswordCheck('anything at all')).toBe(false);
  });
});
