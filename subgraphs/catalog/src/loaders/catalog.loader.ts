import DataLoader from 'dataloader';
import type { Category, Product } from '../entities';
import type { CategoryService } from '../services/category.service';
import type { ProductService } from '../services/product.service';
import type { ReviewPageKey, ReviewService } from '../services/review.service';
import type { Review } from '../types/review.type';

/** Per request, so nothing cached outlives the request that loaded it. */
export interface CatalogLoaders {
  category: DataLoader<string, Category | null>;
  product: DataLoader<string, Product | null>;
  /** A page of reviews per product: a page of products costs one statement for all of them. */
  reviewPage: DataLoader<ReviewPageKey, Review[], string>;
}

export function createLoaders(categories: CategoryService, products: ProductService, reviews: ReviewService): CatalogLoaders {
  return {
    category: new DataLoader((ids) => categories.findByIds(ids)),
    product: new DataLoader((ids) => products.findByIds(ids)),
    reviewPage: new DataLoader((keys) => reviews.pages(keys), {
      cacheKeyFn: (key) => `${key.productId}:${key.first}:${key.afterId ?? ''}`,
    }),
  };
}
