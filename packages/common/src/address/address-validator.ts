import { badInput } from '../errors';
import { COUNTRY_CODES } from './country-codes';

/** Bounds a label printer, a carrier's API and a form field all accept. */
export const ADDRESS_LIMITS = {
  name: 200,
  line1: 200,
  line2: 200,
  city: 100,
  region: 100,
  postalCode: 20,
  phone: 32,
} as const;

// Digits with the usual separators and an optional leading +; numbers are checked by
// the carrier that calls them, this only keeps out what is plainly not a phone number.
const PHONE_SHAPE = /^\+?\(?[0-9][0-9 ()./-]*[0-9]$/;

export interface AddressFields {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  country: string;
  phone?: string | null;
}

export interface ValidAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
}

type Bounded = keyof typeof ADDRESS_LIMITS;

function required(field: Bounded, raw: string): string {
  const value = raw.trim();
  if (value.length === 0) throw badInput(`${field} must not be empty`, field);
  return bounded(field, value);
}

/** Optional fields: blank means absent, so "" and null are stored alike (as null). */
function optional(field: Bounded, raw: string | null | undefined): string | null {
  const value = raw?.trim() ?? '';
  return value.length === 0 ? null : bounded(field, value);
}

function bounded(field: Bounded, value: string): string {
  if (value.length > ADDRESS_LIMITS[field]) throw badInput(`${field} must be at most ${ADDRESS_LIMITS[field]} characters`, field);
  return value;
}

/** Trims and checks every field, or throws BAD_USER_INPUT naming the first offending one. */
export function validateAddress(input: AddressFields): ValidAddress {
  const address: ValidAddress = {
    name: required('name', input.name),
    line1: required('line1', input.line1),
    line2: optional('line2', input.line2),
    city: required('city', input.city),
    region: optional('region', input.region),
    postalCode: required('postalCode', input.postalCode),
    country: input.country.trim().toUpperCase(),
    phone: optional('phone', input.phone),
  };
  if (!COUNTRY_CODES.has(address.country)) {
    throw badInput('country must be an ISO 3166-1 alpha-2 country code, e.g. "US" or "DE"', 'country');
  }
  if (address.phone !== null && !PHONE_SHAPE.test(address.phone)) {
    throw badInput('phone must be digits, optionally with a leading + and spaces, dots, dashes or parentheses', 'phone');
  }
  return address;
}
