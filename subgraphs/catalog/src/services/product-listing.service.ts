import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, isUuid, toPage, validateFirst, type Page } from '@storegraph/common';
import { Product } from '../entities';
import { PRODUCT_COLUMNS } from './product.columns';

export interface ProductFilterData {
  /** Words matched against name and description (web-search syntax: "quoted phrase", -not, or). */
  search?: string | null;
  categoryId?: string | null;
  /** true: only products with units available; false or null: no filter. */
  inStock?: boolean | null;
}

interface Where {
  sql: string;
  params: unknown[];
}

/**
 * Listing is hand-written SQL: the tsvector match and the keyset position are plain
 * PostgreSQL, and the count must use the very same filter (without the cursor).
 */
export class ProductListingService {
  constructor(private readonly em: EntityManager) {}

  async list(first: number, after: string | null | undefined, filter: ProductFilterData | null | undefined): Promise<Page<Product>> {
    validateFirst(first);
    const afterId = after == null ? null : decodeCursor(after);
    // A category id that is not a UUID names nothing: an empty page, no query.
    if (filter?.categoryId != null && !isUuid(filter.categoryId)) return toPage<Product>([], first, 0);

    const where = buildWhere(filter ?? {});
    const connection = this.em.getConnection();
    const pageWhere = afterId === null ? where : and(where, { sql: 'id > ?', params: [afterId] });
    const [rows, counted] = await Promise.all([
      connection.execute<Array<Record<string, unknown>>>(
        `select ${PRODUCT_COLUMNS} from products where ${pageWhere.sql} order by id asc limit ?`,
        [...pageWhere.params, first + 1],
      ),
      connection.execute<Array<{ total: number }>>(`select count(*)::int as total from products where ${where.sql}`, where.params),
    ]);
    const products = rows.map((row) => this.em.map(Product, row));
    return toPage(products, first, counted[0].total);
  }
}

function buildWhere(filter: ProductFilterData): Where {
  const clauses: Where[] = [];
  const search = filter.search?.trim();
  if (search) clauses.push({ sql: `search @@ websearch_to_tsquery('english', ?)`, params: [search] });
  if (filter.categoryId != null) clauses.push({ sql: 'category_id = ?', params: [filter.categoryId] });
  if (filter.inStock === true) clauses.push({ sql: 'on_hand - reserved > 0', params: [] });
  return clauses.reduce(and, { sql: 'true', params: [] });
}

function and(left: Where, right: Where): Where {
  return { sql: `${left.sql} and ${right.sql}`, params: [...left.params, ...right.params] };
}
