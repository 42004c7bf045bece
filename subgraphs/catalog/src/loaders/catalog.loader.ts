import DataLoader from 'dataloader';
import type { Category, Product } from '../entities';
import type { CategoryService } from '../services/category.service';
import type { ProductService } from '../services/product.service';

/** Per request, so nothing cached outlives the request that loaded it. */
export interface CatalogLoaders {
  category: DataLoader<string, Category | null>;
  product: DataLoader<string, Product | null>;
}

export function createLoaders(categories: CategoryService, products: ProductService): CatalogLoaders {
  return {
    category: new DataLoader((ids) => categories.findByIds(ids)),
    product: new DataLoader((ids) => products.findByIds(ids)),
  };
}
