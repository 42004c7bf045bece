import { hasCode } from '@storegraph/common';
import { COUNTRY_CODES } from '../../src/address/country-codes';
import { validateAddress, type AddressFields } from '../../src/address/address-validator';

const VALID: AddressFields = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };

function fieldOf(input: Partial<AddressFields>): string | undefined {
  try {
    validateAddress({ ...VALID, ...input });
  } catch (error) {
    expect(hasCode(error, 'BAD_USER_INPUT')).toBe(true);
    return (error as { extensions: { field?: string } }).extensions.field;
  }
  return undefined;
}

describe('validateAddress', () => {
  it('trims, uppercases the country and stores blank optional fields as null', () => {
    expect(validateAddress({ ...VALID, name: ' Ada ', country: ' de ', line2: ' ', region: '', phone: null })).toEqual({
      ...VALID, line2: null, region: null, phone: null,
    });
  });

  it('knows the assigned ISO 3166-1 alpha-2 codes, not just any two letters', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    for (const code of ['US', 'DE', 'GB', 'JP', 'BR', 'SS', 'AX']) expect(fieldOf({ country: code })).toBeUndefined();
    // UK and EU are reserved, not assigned; XX and ZZ are user-assigned; lowercase is accepted after uppercasing
    for (const code of ['UK', 'EU', 'XX', 'ZZ', 'D', 'DEU', '12', '']) expect(fieldOf({ country: code })).toBe('country');
  });

  it('accepts each bound exactly and refuses one past it', () => {
    expect(fieldOf({ postalCode: '1'.repeat(20) })).toBeUndefined();
    expect(fieldOf({ postalCode: '1'.repeat(21) })).toBe('postalCode');
    expect(fieldOf({ city: 'c'.repeat(100) })).toBeUndefined();
    expect(fieldOf({ city: 'c'.repeat(101) })).toBe('city');
  });

  it('accepts written phone numbers and refuses what is not one', () => {
    for (const phone of ['+49 30 1234567', '(030) 123-4567', '030.123.4567']) expect(fieldOf({ phone })).toBeUndefined();
    for (const phone of ['call me', '+', '12 34 x', '--1--']) expect(fieldOf({ phone })).toBe('phone');
  });
});
