import { hasCode } from '@storegraph/common';
import { GraphQLError } from 'graphql';
import { normalizeEmail, validateNewAccount } from '../../src/services/user-input.validator';

const valid = { email: 'ada@example.com', password: 'long enough', name: 'Ada' };

function refusal(input: Partial<typeof valid>): GraphQLError {
  try {
    validateNewAccount({ ...valid, ...input });
  } catch (err) {
    if (err instanceof GraphQLError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('validateNewAccount', () => {
  it('normalizes email and name', () => {
    expect(validateNewAccount({ email: ' Ada@Example.COM ', password: 'long enough', name: '  Ada  ' })).toEqual({
      email: 'ada@example.com',
      password: 'long enough',
      name: 'Ada',
    });
    expect(normalizeEmail('\tX@Y.Z\n')).toBe('x@y.z');
  });

  it('keeps the password exactly as given (spaces are part of it)', () => {
    expect(validateNewAccount({ ...valid, password: '  spaced  ' }).password).toBe('  spaced  ');
  });

  it.each([
    ['email', { email: 'plainaddress' }],
    ['email', { email: 'a@b' }],
    ['email', { email: 'two@@example.com' }],
    ['email', { email: 'sp ace@example.com' }],
    ['email', { email: `${'a'.repeat(243)}@example.com` }],
    ['password', { password: 'seven77' }],
    ['password', { password: 'p'.repeat(1025) }],
    ['name', { name: '' }],
    ['name', { name: ' \t ' }],
    ['name', { name: 'n'.repeat(201) }],
  ])('refuses a bad %s with BAD_USER_INPUT naming the field', (field, input) => {
    const error = refusal(input);
    expect(hasCode(error, 'BAD_USER_INPUT')).toBe(true);
    expect(error.extensions.field).toBe(field);
  });

  it('accepts the limits themselves', () => {
    const email = `${'a'.repeat(242)}@example.com`;
    expect(email).toHaveLength(254);
    expect(() => validateNewAccount({ email, password: 'p'.repeat(8), name: 'n'.repeat(200) })).not.toThrow();
    expect(() => validateNewAccount({ ...valid, password: 'p'.repeat(1024) })).not.toThrow();
  });
});
