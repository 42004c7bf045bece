import 'reflect-metadata';
import { hasCode, type Caller } from '@storegraph/common';
import type { UsersContext } from '../../src/context';
import { User } from '../../src/entities';
import { AddressResolver } from '../../src/resolvers/address.resolver';

/**
 * Through the API another user's User object is already null (see user.reference.ts), so
 * the field's own check is the second line: it must hold even if a later path hands out
 * a User the caller does not own.
 */
describe('User.addresses', () => {
  const owner = Object.assign(new User(), { id: '0190a000-0000-7000-8000-000000000001' });
  const caller = (userId: string, role: Caller['role']): Caller => ({ userId, role, tokenId: 't', tokenExpiresAt: 0, familyId: 'f' });
  const context = (who: Caller | null) =>
    ({ caller: who, loaders: { addresses: { load: async () => [] } } }) as unknown as UsersContext;

  it('is FORBIDDEN to a signed-in user who is not the owner, and to anonymous callers', async () => {
    for (const who of [caller('0190a000-0000-7000-8000-000000000002', 'CUSTOMER'), null]) {
      let error: unknown;
      try {
        await new AddressResolver().addresses(owner, context(who));
      } catch (err) {
        error = err;
      }
      expect(hasCode(error, 'FORBIDDEN')).toBe(true);
    }
  });

  it('is served to the owner and to an ADMIN', async () => {
    await expect(new AddressResolver().addresses(owner, context(caller(owner.id, 'CUSTOMER')))).resolves.toEqual([]);
    await expect(new AddressResolver().addresses(owner, context(caller('0190a000-0000-7000-8000-000000000003', 'ADMIN')))).resolves.toEqual([]);
  });
});
