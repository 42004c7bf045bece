import { hasCode } from '@storegraph/common';
import {
  MAX_SKU_LENGTH,
  validateDescription,
  validateImages,
  validateName,
  validateQuantity,
  validateReason,
  validateReview,
  validateSku,
  validateSlug,
  validateStockDelta,
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

  it('keeps image order, trims, defaults alt to "" and refuses anything but bounded http(s) URLs', () => {
    const limits = { maxImages: 2, maxUrlLength: 40, maxAltLength: 5 };
    expect(validateImages([{ url: ' https://a.example/1.jpg ', alt: ' x ' }, { url: 'http://a.example/2.jpg', alt: null }], limits)).toEqual([
      { url: 'https://a.example/1.jpg', alt: 'x' },
      { url: 'http://a.example/2.jpg', alt: '' },
    ]);
    for (const url of ['javascript:alert(1)', 'data:,x', 'ftp://a.example/x', '//a.example/x', 'a.jpg', 'http://', 'https://a.example/a\tb', `https://a.example/${'x'.repeat(30)}`]) {
      expect(badInputFrom(() => validateImages([{ url }], limits))).toBe(true);
    }
    expect(badInputFrom(() => validateImages([{ url: 'https://a.example/1.jpg', alt: 'toolong' }], limits))).toBe(true);
    expect(badInputFrom(() => validateImages([1, 2, 3].map((i) => ({ url: `https://a.example/${i}` })), limits))).toBe(true);
  });
});

describe('validateReview', () => {
  const limits = { maxTitleLength: 10, maxBodyLength: 20 };
  const refused = (input: { rating: number; title: string; body: string }) => {
    try {
      validateReview(input, limits);
    } catch (err) {
      return (err as { extensions?: { code?: string; field?: string } }).extensions;
    }
    return null;
  };

  it('trims title and body and keeps the rating', () => {
    expect(validateReview({ rating: 5, title: '  Good ', body: ' Very good.\n' }, limits)).toEqual({ rating: 5, title: 'Good', body: 'Very good.' });
  });

  it('refuses ratings outside 1..5 or not whole, blank or overlong text, naming the field', () => {
    for (const rating of [0, 6, -1, 2.5, Number.NaN]) expect(refused({ rating, title: 't', body: 'b' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rating' });
    expect(refused({ rating: 3, title: ' \t ', body: 'b' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    expect(refused({ rating: 3, title: 'x'.repeat(11), body: 'b' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    expect(refused({ rating: 3, title: 't', body: '' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(refused({ rating: 3, title: 't', body: 'y'.repeat(21) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(refused({ rating: 1, title: 'x'.repeat(10), body: 'y'.repeat(20) })).toBeNull();
  });
});

describe('stock adjustments', () => {
  it('takes a non-zero whole delta within PostgreSQL integers', () => {
    expect(validateStockDelta(-3)).toBe(-3);
    expect(validateStockDelta(5)).toBe(5);
    for (const delta of [0, 1.5, Number.NaN, 2_147_483_648, -2_147_483_648]) expect(badInputFrom(() => validateStockDelta(delta))).toBe(true);
  });

  it('takes a trimmed, non-blank reason of at most 200 characters', () => {
    expect(validateReason('  recount ')).toBe('recount');
    expect(validateReason('x'.repeat(200))).toHaveLength(200);
    for (const reason of ['', '   ', 'x'.repeat(201)]) expect(badInputFrom(() => validateReason(reason))).toBe(true);
  });
});
