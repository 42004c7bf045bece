import { EnvReader, readSubgraphConfig, type SubgraphConfig } from '@storegraph/common';

/** Bounds on a product's images, checked before anything is written. */
export interface ImageLimits {
  /** Images per product. */
  maxImages: number;
  /** Characters of one image URL. */
  maxUrlLength: number;
  /** Characters of one image's alt text. */
  maxAltLength: number;
}

/** Bounds on a review's text, checked before anything is written. */
export interface ReviewLimits {
  /** Characters of a review's title. */
  maxTitleLength: number;
  /** Characters of a review's body. */
  maxBodyLength: number;
}

export interface CatalogConfig extends SubgraphConfig {
  /** The users subgraph: a review's author name is taken from it when the review is written. */
  usersUrl: string;
  /** How long a call to the users subgraph may take. */
  usersTimeoutMs: number;
  reviews: ReviewLimits;
  /** How long stock stays held for an unpaid order before the saga releases it. */
  reservationTtlSeconds: number;
  /** How often the expiry sweeper looks for holds past their TTL. */
  reservationSweepIntervalMs: number;
  images: ImageLimits;
}

export const DEFAULT_REVIEW_LIMITS: ReviewLimits = { maxTitleLength: 200, maxBodyLength: 5000 };

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxImages: 10, maxUrlLength: 2048, maxAltLength: 500 };

function readImageLimits(env: EnvReader): ImageLimits {
  return {
    maxImages: env.int('PRODUCT_IMAGES_MAX', DEFAULT_IMAGE_LIMITS.maxImages, 1),
    maxUrlLength: env.int('PRODUCT_IMAGE_URL_MAX_LENGTH', DEFAULT_IMAGE_LIMITS.maxUrlLength, 16),
    maxAltLength: env.int('PRODUCT_IMAGE_ALT_MAX_LENGTH', DEFAULT_IMAGE_LIMITS.maxAltLength, 1),
  };
}

function readReviewLimits(env: EnvReader): ReviewLimits {
  return {
    maxTitleLength: env.int('REVIEW_TITLE_MAX_LENGTH', DEFAULT_REVIEW_LIMITS.maxTitleLength, 1),
    maxBodyLength: env.int('REVIEW_BODY_MAX_LENGTH', DEFAULT_REVIEW_LIMITS.maxBodyLength, 1),
  };
}

export function readConfig(env = new EnvReader()): CatalogConfig {
  const config: CatalogConfig = {
    ...readSubgraphConfig(env, 'catalog', 4002),
    reservationTtlSeconds: env.int('RESERVATION_TTL_SECONDS', 900, 1),
    reservationSweepIntervalMs: env.int('RESERVATION_SWEEP_INTERVAL_MS', 1000, 10),
    images: readImageLimits(env),
    usersUrl: env.string('USERS_URL', 'http://localhost:4001/graphql'),
    usersTimeoutMs: env.int('USERS_TIMEOUT_MS', 5000, 1),
    reviews: readReviewLimits(env),
  };
  try {
    new URL(config.usersUrl);
  } catch {
    env.problem(`USERS_URL must be an absolute URL (got "${config.usersUrl}")`);
  }
  env.done();
  return config;
}
