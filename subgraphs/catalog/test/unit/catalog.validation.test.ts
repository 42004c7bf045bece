import { hasCode } from '@storegraph/common';
import {
  MAX_SKU_LENGTH,
  validateDescription,
  validateName,
  validateQuantity,
  validateSku,
  validateSlug,
} from '../../src/services/catalog.validation';

function badInputFrom(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    return hasCode(err, 'BAD_USER_INPUT');
  }
}

describe('catalog input validation', () => {
  it('trims SKUs and refuses empty or over-long ones', () => {
    expect(validateSku('  ABC-1 ')).toBe('ABC-1');
    expect(validateSku('x'.repeat(MAX_SKU_LENGTH))).toHaveLength(MAX_SKU_LENGTH);
    expect(badInputFrom(() => validateSku('   '))).toBe(true);
    expect(badInputFrom(() => validateSku('x'.repeat(MAX_SKU_LENGTH + 1)))).toBe(true);
  });

  it('trims names and refuses blank ones', () => {
    expect(validateName(' Mug ')).toBe('Mug');
    expect(badInputFrom(() => validateName(''))).toBe(true);
    expect(badInputFrom(() => validateName(' \t '))).toBe(true);
  });

  it('accepts lowercase hyphenated slugs only', () => {
    for (const slug of ['shoes', 'running-shoes', 'size-42', 'a1-b2-c3']) expect(validateSlug(slug)).toBe(slug);
    for (const slug of ['', 'Shoes', 'running_shoes', '-shoes', 'shoes-', 'running--shoes', 'with space', 'é']) {
      expect(badInputFrom(() => validateSlug(slug))).toBe(true);
    }
  });

  it('accepts whole quantities >= 0 only', () => {
    expect(validateQuantity(0, 'stock')).toBe(0);
    expect(validateQuantity(12, 'stock')).toBe(12);
    expect(badInputFrom(() => validateQuantity(-1, 'stock'))).toBe(true);
    expect(badInputFrom(() => validateQuantity(1.5, 'stock'))).toBe(true);
  });

  it('keeps descriptions as given, within the length limit', () => {
    expect(validateDescription('  spaced  ')).toBe('  spaced  ');
    expect(badInputFrom(() => validateDescription('x'.repeat(10_001)))).toBe(true);
  });
});
