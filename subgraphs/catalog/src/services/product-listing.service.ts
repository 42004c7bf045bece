import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared, isUuid, toPage, validateFirst, type Page } from '@storegraph/common';
import { Product } from '../entities';
import type { ProductSort } from '../types/product-sort.enum';
import { cursorOf, filterSql, orderingOf, pageSql, searchOf, type ProductFilterData } from './product-listing.query';

export type { ProductFilterData } from './product-listing.query';

/**
 * Listing is hand-written SQL: the tsvector match, the rank and the keyset position are
 * plain PostgreSQL, and the count must use the very same filter (without the cursor).
 * The count and the page are ONE prepared statement: the count's single row joined
 * laterally with the page (an empty page still yields the count, with null columns).
 */
export class ProductListingService {
  constructor(private readonly em: EntityManager) {}

  async list(
    first: number,
    after: string | null | undefined,
    filter: ProductFilterData | null | undefined,
    sort?: ProductSort | null,
  ): Promise<Page<Product>> {
    validateFirst(first);
    const data = filter ?? {};
    const search = searchOf(data);
    const ordering = orderingOf(sort, search);
    // Built before anything runs, so a bad cursor or price is refused whatever the category.
    const where = filterSql(data, search);
    const page = pageSql(ordering, where, after, first);
    // A category id that is not a UUID names nothing: an empty page, no query.
    if (data.categoryId != null && !isUuid(data.categoryId)) return toPage<Product>([], first, 0);

    const rows = await executePrepared<Record<string, unknown>>(this.em, {
      text: `select counted.total, page.* from (select count(*)::int as total from products where ${where.sql}) counted
        left join lateral (${page.sql}) page on true`,
      params: [...where.params, ...page.params],
    });
    const keys = new Map<Product, string | undefined>();
    const products = rows
      .filter((row) => row.id !== null)
      .map(({ sort_key: sortKey, total: _total, ...columns }) => {
        const product = this.em.map(Product, columns);
        keys.set(product, sortKey as string | undefined);
        return product;
      });
    return toPage(products, first, rows[0].total as number, (product) => cursorOf(ordering, product.id, keys.get(product)));
  }
}
