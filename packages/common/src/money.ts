import { Field, ObjectType, Directive } from 'type-graphql';
import { badInput } from './errors';

/** Money as the contract shows it; every subgraph that returns money shares this type. */
@Directive('@shareable')
@ObjectType({ description: 'Money in the store currency. amount is a decimal string with exactly two decimals, e.g. "19.99".' })
export class Money {
  @Field(() => String)
  amount!: string;

  @Field(() => String)
  currency!: string;
}

const PRICE = /^\d{1,10}(\.\d{1,2})?$/;

/** Parses a client's decimal price ("19.9", "0", "12.50") into minor units, exactly (no floats). */
export function parsePrice(value: string, field = 'price'): number {
  const trimmed = value.trim();
  if (!PRICE.test(trimmed)) {
    throw badInput(`${field} must be a decimal string >= 0 with at most two decimals`, field);
  }
  const [units, fraction = ''] = trimmed.split('.');
  const minor = Number(units) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(minor) || minor > 2_147_483_647) throw badInput(`${field} is too large`, field);
  return minor;
}

export function formatAmount(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function money(minor: number, currency: string): Money {
  return Object.assign(new Money(), { amount: formatAmount(minor), currency });
}

/** Inverse of formatAmount, for amounts another service of ours formatted. */
export function amountToMinor(amount: string): number {
  return parsePrice(amount, 'amount');
}
