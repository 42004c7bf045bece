import { amountToMinor, callEntities, JsonHttpClient } from '@storegraph/common';

/** What orders needs to know about a product: its current price, and whether it is still sold. */
export interface CatalogProduct {
  id: string;
  priceMinor: number;
  currency: string;
  /** Archived: stays on carts and orders that hold it, but no cart may take more of it. */
  archived: boolean;
}

/**
 * The catalog as orders sees it. Prices always come from here, never from the client.
 * Ids the catalog does not know are simply absent from the returned map.
 */
export interface ProductCatalog {
  getProducts(ids: string[]): Promise<Map<string, CatalogProduct>>;
}

const ENTITIES_QUERY =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id price { amount currency } archived } } }';

interface CatalogEntity {
  id: string;
  price: { amount: string; currency: string };
  archived: boolean;
}

/**
 * Asks the catalog subgraph directly through federation's `_entities`: products are
 * public, so no identity is needed, and one call answers any number of ids.
 */
export class HttpProductCatalog implements ProductCatalog {
  constructor(
    private readonly url: string,
    private readonly http = new JsonHttpClient(),
    private readonly timeoutMs = 5000,
  ) {}

  /** Closes its pooled connections to the catalog. */
  close(): void {
    this.http.close();
  }

  async getProducts(ids: string[]): Promise<Map<string, CatalogProduct>> {
    const found = new Map<string, CatalogProduct>();
    if (ids.length === 0) return found;
    const products = await callEntities<CatalogEntity>(this.http, {
      url: this.url,
      query: ENTITIES_QUERY,
      representations: ids.map((id) => ({ __typename: 'Product', id })),
      timeoutMs: this.timeoutMs,
      service: 'Catalog',
    });
    for (const product of products) {
      if (product) {
        found.set(product.id, {
          id: product.id,
          priceMinor: amountToMinor(product.price.amount),
          currency: product.price.currency,
          archived: product.archived,
        });
      }
    }
    return found;
  }
}
