import { badInput } from '@storegraph/common';
import type { ImageLimits, ReviewLimits } from '../config';
import type { ProductImageData } from '../entities';

/**
 * Pure checks of client input, run before anything touches the database so a refused
 * mutation changes nothing. Each returns the normalised value to store.
 */
export const MAX_SKU_LENGTH = 64;
export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 10_000;
export const MAX_SLUG_LENGTH = 100;
export const MAX_REASON_LENGTH = 200;
/** PostgreSQL's integer, the type of units on hand. */
export const MAX_UNITS = 2_147_483_647;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function requiredText(value: string, field: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw badInput(`${field} must not be empty`, field);
  if (trimmed.length > max) throw badInput(`${field} must be at most ${max} characters`, field);
  return trimmed;
}

export function validateSku(sku: string): string {
  return requiredText(sku, 'sku', MAX_SKU_LENGTH);
}

export function validateName(name: string, field = 'name'): string {
  return requiredText(name, field, MAX_NAME_LENGTH);
}

export function validateDescription(description: string): string {
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw badInput(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, 'description');
  }
  return description;
}

export function validateSlug(slug: string): string {
  if (slug.length > MAX_SLUG_LENGTH || !SLUG.test(slug)) {
    throw badInput('slug must be lowercase letters and digits in words joined by single hyphens, e.g. "running-shoes"', 'slug');
  }
  return slug;
}

/** Units on hand: a whole number, never negative. */
export function validateQuantity(quantity: number, field: string): number {
  if (!Number.isInteger(quantity) || quantity < 0) throw badInput(`${field} must be an integer >= 0`, field);
  return quantity;
}

/** A stock adjustment: a whole number of units in (positive) or out (negative), never zero. */
export function validateStockDelta(delta: number): number {
  if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_UNITS) {
    throw badInput('delta must be a non-zero whole number of units', 'delta');
  }
  return delta;
}

/** The admin's reason for an adjustment, shown as the movement's reason. */
export function validateReason(reason: string): string {
  return requiredText(reason, 'reason', MAX_REASON_LENGTH);
}

export interface ImageInput {
  url: string;
  alt?: string | null;
}

/**
 * Only absolute http(s) URLs: anything else (javascript:, data:, relative paths) would be
 * rendered by every storefront that shows the product.
 */
export function validateImages(images: readonly ImageInput[], limits: ImageLimits): ProductImageData[] {
  if (images.length > limits.maxImages) throw badInput(`images: at most ${limits.maxImages} per product`, 'images');
  return images.map((image, index) => {
    const field = `images[${index}]`;
    const url = image.url.trim();
    if (url.length > limits.maxUrlLength) throw badInput(`${field}.url must be at most ${limits.maxUrlLength} characters`, `${field}.url`);
    if (!isWebUrl(url)) throw badInput(`${field}.url must be an absolute http or https URL`, `${field}.url`);
    const alt = (image.alt ?? '').trim();
    if (alt.length > limits.maxAltLength) throw badInput(`${field}.alt must be at most ${limits.maxAltLength} characters`, `${field}.alt`);
    return { url, alt };
  });
}

function isWebUrl(value: string): boolean {
  // new URL() would quietly percent-encode a space; a URL we store is the URL we were sent.
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export interface ReviewText {
  rating: number;
  title: string;
  body: string;
}

/** Rating 1..5; title and body trimmed, not blank, bounded by the settings. */
export function validateReview(input: ReviewText, limits: ReviewLimits): ReviewText {
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) throw badInput('rating must be an integer from 1 to 5', 'rating');
  return {
    rating: input.rating,
    title: requiredText(input.title, 'title', limits.maxTitleLength),
    body: requiredText(input.body, 'body', limits.maxBodyLength),
  };
}
