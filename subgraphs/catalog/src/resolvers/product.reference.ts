import type { Product } from '../entities';
import type { CatalogContext } from '../context';

/**
 * `_entities` asks for every representation at once; the DataLoader turns N of them into
 * one query. Unknown ids resolve to null, as federation expects.
 */
export const productReference = {
  __resolveReference(reference: { id: string }, ctx: CatalogContext): Promise<Product | null> {
    return ctx.loaders.product.load(reference.id);
  },
};
