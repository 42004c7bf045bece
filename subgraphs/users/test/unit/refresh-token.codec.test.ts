import { uuidv7 } from '@storegraph/common';
import {
  formatRefreshToken,
  hashSecret,
  newSecret,
  parseRefreshToken,
  secretMatches,
} from '../../src/services/refresh-token.codec';

describe('refresh token codec', () => {
  it('round-trips id and secret, and matches only the stored hash of that secret', () => {
    const parts = { id: uuidv7(), secret: newSecret() };
    const token = formatRefreshToken(parts);
    expect(parseRefreshToken(token)).toEqual(parts);
    expect(secretMatches(parts.secret, hashSecret(parts.secret))).toBe(true);
    expect(secretMatches(newSecret(), hashSecret(parts.secret))).toBe(false);
    expect(secretMatches(parts.secret, 'not-hex')).toBe(false);
  });

  it.each(['', '.', 'abc.def', `${uuidv7()}`, `${uuidv7()}.short`, `not-a-uuid.${newSecret()}`, `${uuidv7()}.${newSecret()}x`])(
    'refuses %p',
    (token) => {
      expect(parseRefreshToken(token)).toBeNull();
    },
  );
});
