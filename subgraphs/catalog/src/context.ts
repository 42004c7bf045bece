import type { RequestContext } from '@storegraph/common';
import type { CatalogConfig } from './config';
import { createLoaders, type CatalogLoaders } from './loaders/catalog.loader';
import { CategoryService } from './services/category.service';
import { ProductListingService } from './services/product-listing.service';
import { ProductService } from './services/product.service';
import { ReviewService } from './services/review.service';
import { StockMovementService } from './services/stock-movement.service';
import type { UserDirectory } from './services/user-directory';
import { WishlistService } from './services/wishlist.service';

export interface CatalogContext extends RequestContext {
  /** The store currency every price is shown in. */
  currency: string;
  categories: CategoryService;
  products: ProductService;
  productListing: ProductListingService;
  reviews: ReviewService;
  stockMovements: StockMovementService;
  wishlists: WishlistService;
  loaders: CatalogLoaders;
}

/** Services are bound to the request's own em fork, so no identity map is shared. */
export function createContext(base: RequestContext, config: CatalogConfig, users: UserDirectory): CatalogContext {
  const categories = new CategoryService(base.em);
  const products = new ProductService(base.em, config.images);
  const reviews = new ReviewService(base.em, config.reviews, users);
  return {
    ...base,
    currency: config.currency,
    categories,
    products,
    productListing: new ProductListingService(base.em),
    reviews,
    stockMovements: new StockMovementService(base.em),
    wishlists: new WishlistService(base.em),
    loaders: createLoaders(categories, products, reviews),
  };
}
