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

export interface CatalogConfig extends SubgraphConfig {
  /** How long stock stays held for an unpaid order before the saga releases it. */
  reservationTtlSeconds: number;
  /** How often the expiry sweeper looks for holds past their TTL. */
  reservationSweepIntervalMs: number;
  images: ImageLimits;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxImages: 10, maxUrlLength: 2048, maxAltLength: 500 };

function readImageLimits(env: EnvReader): ImageLimits {
  return {
    maxImages: env.int('PRODUCT_IMAGES_MAX', DEFAULT_IMAGE_LIMITS.maxImages, 1),
    maxUrlLength: env.int('PRODUCT_IMAGE_URL_MAX_LENGTH', DEFAULT_IMAGE_LIMITS.maxUrlLength, 16),
    maxAltLength: env.int('PRODUCT_IMAGE_ALT_MAX_LENGTH', DEFAULT_IMAGE_LIMITS.maxAltLength, 1),
  };
}

export function readConfig(env = new EnvReader()): CatalogConfig {
  const config: CatalogConfig = {
    ...readSubgraphConfig(env, 'catalog', 4002),
    reservationTtlSeconds: env.int('RESERVATION_TTL_SECONDS', 900, 1),
    reservationSweepIntervalMs: env.int('RESERVATION_SWEEP_INTERVAL_MS', 1000, 10),
    images: readImageLimits(env),
  };
  env.done();
  return config;
}
