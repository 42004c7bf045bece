import DataLoader from 'dataloader';
import { isUuid } from '@storegraph/common';
import type { CatalogProduct, ProductCatalog } from '../services/product-catalog';

/** Per request: every price the request needs comes from one catalog call. */
export function createProductLoader(catalog: ProductCatalog): DataLoader<string, CatalogProduct | null> {
  return new DataLoader(async (ids) => {
    // A non-UUID names no product; the catalog need not be asked about it.
    const asked = ids.filter(isUuid);
    const found = asked.length > 0 ? await catalog.getProducts([...new Set(asked)]) : new Map<string, CatalogProduct>();
    return ids.map((id) => found.get(id) ?? null);
  });
}
