import { createHash } from 'node:crypto';
import { badInput, decodeCursor, decodeKeysetCursor, encodeCursor, encodeKeysetCursor, parsePrice } from '@storegraph/common';
import { ProductSort } from '../types/product-sort.enum';
import { PRODUCT_COLUMNS } from './product.columns';

export interface ProductFilterData {
  /** Words matched against name and description (web-search syntax: "quoted phrase", -not, or). */
  search?: string | null;
  categoryId?: string | null;
  /** true: only products with units available; false or null: no filter. */
  inStock?: boolean | null;
  /** Decimal strings, inclusive bounds on the price. */
  minPrice?: string | null;
  maxPrice?: string | null;
}

export interface Sql {
  sql: string;
  params: unknown[];
}

/** The sort key of an ordering: an SQL expression over `products`, and how its text casts back. */
interface SortKey {
  sql: string;
  params: unknown[];
  /** The SQL type the cursor's text is cast to, so the comparison is exact. */
  type: 'integer' | 'numeric' | 'real' | 'text';
}

/**
 * How a page is ordered: by the key, then by id, both in one direction, so that one btree
 * index (key, id) serves the sort forwards or backwards and the keyset bound is a row
 * comparison the index can seek to. `key: null` orders by id alone (ids are UUIDv7:
 * creation order).
 */
interface Ordering {
  /** Written into cursors; a cursor is only accepted by the ordering that issued it. */
  name: string;
  key: SortKey | null;
  descending: boolean;
}

/**
 * Whether a cursor's key text casts to the key's type without an error: a forged cursor is
 * the client's mistake (BAD_USER_INPUT), not a failed statement.
 */
const KEY_IS_VALID: Record<SortKey['type'], (text: string) => boolean> = {
  integer: (text) => /^-?\d{1,10}$/.test(text) && Math.abs(Number(text)) <= 2_147_483_647,
  numeric: (text) => /^-?\d{1,20}(\.\d{1,40})?$/.test(text),
  real: (text) => /^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(text) && Math.abs(Number(text)) < 3.4e38,
  text: (text) => text.length <= 1000 && !text.includes('\u0000'),
};

/** The ordering a request asks for. Without `sort`, version 1's creation order. */
export function orderingOf(sort: ProductSort | null | undefined, search: string | null): Ordering {
  const chosen = sort ?? null;
  switch (chosen) {
    case null:
      return { name: 'CREATED', key: null, descending: false };
    case ProductSort.PRICE_ASC:
      return { name: chosen, key: { sql: 'price_minor', params: [], type: 'integer' }, descending: false };
    case ProductSort.PRICE_DESC:
      return { name: chosen, key: { sql: 'price_minor', params: [], type: 'integer' }, descending: true };
    case ProductSort.NAME_ASC:
      return { name: chosen, key: { sql: 'lower(name)', params: [], type: 'text' }, descending: false };
    case ProductSort.RATING:
      // Unrated products average 0 (see migration 0003), so they come last.
      return { name: chosen, key: { sql: 'rating_average', params: [], type: 'numeric' }, descending: true };
    case ProductSort.RELEVANCE:
      if (search === null) return { name: ProductSort.NEWEST, key: null, descending: true };
      // ts_rank depends only on the row and the query, so positions stay put under inserts;
      // the cursor names the search too, since a rank means nothing for another search.
      return {
        name: `${chosen}:${createHash('sha256').update(search).digest('base64url').slice(0, 12)}`,
        key: { sql: `ts_rank(search, websearch_to_tsquery('english', ?))`, params: [search], type: 'real' },
        descending: true,
      };
    case ProductSort.NEWEST:
      return { name: chosen, key: null, descending: true };
    default:
      throw badInput(`sort ${String(chosen)} is not known`, 'sort');
  }
}

/**
 * Archived products are never listed: the predicate comes first in every filter, and the
 * sort indexes are partial on it (migration 0005), so each sort stays an index scan.
 */
export const LISTED_SQL = 'not archived';

/** The listing's filter: the page and the count share it, so they always agree. */
export function filterSql(filter: ProductFilterData, search: string | null): Sql {
  const clauses: Sql[] = [{ sql: LISTED_SQL, params: [] }];
  if (search !== null) clauses.push({ sql: `search @@ websearch_to_tsquery('english', ?)`, params: [search] });
  if (filter.categoryId != null) clauses.push({ sql: 'category_id = ?', params: [filter.categoryId] });
  if (filter.inStock === true) clauses.push({ sql: 'on_hand - reserved > 0', params: [] });
  const { min, max } = priceBounds(filter);
  if (min !== null) clauses.push({ sql: 'price_minor >= ?', params: [min] });
  if (max !== null) clauses.push({ sql: 'price_minor <= ?', params: [max] });
  return clauses.reduce(and);
}

/** Validated like every price a client sends; an empty range is a mistake worth saying. */
function priceBounds(filter: ProductFilterData): { min: number | null; max: number | null } {
  const min = filter.minPrice == null ? null : parsePrice(filter.minPrice, 'minPrice');
  const max = filter.maxPrice == null ? null : parsePrice(filter.maxPrice, 'maxPrice');
  if (min !== null && max !== null && min > max) throw badInput('minPrice must not be above maxPrice', 'minPrice');
  return { min, max };
}

export function searchOf(filter: ProductFilterData): string | null {
  const search = filter.search?.trim();
  return search ? search : null;
}

/** The page statement: filter, keyset bound after the cursor, order, limit first + 1. */
export function pageSql(ordering: Ordering, where: Sql, after: string | null | undefined, first: number): Sql {
  const direction = ordering.descending ? 'desc' : 'asc';
  const comparison = ordering.descending ? '<' : '>';
  const key = ordering.key;
  const select = key === null ? PRODUCT_COLUMNS : `${PRODUCT_COLUMNS}, (${key.sql})::text as sort_key`;
  const selectParams = key === null ? [] : key.params;
  let bounded = where;
  if (after != null) {
    const position = decodePosition(ordering, after);
    bounded =
      key === null
        ? and(where, { sql: `id ${comparison} ?`, params: [position.id] })
        : and(where, {
            sql: `(${key.sql}, id) ${comparison} (?::${key.type}, ?::uuid)`,
            params: [...key.params, position.key, position.id],
          });
  }
  const orderBy = key === null ? `id ${direction}` : `${key.sql} ${direction}, id ${direction}`;
  return {
    sql: `select ${select} from products where ${bounded.sql} order by ${orderBy} limit ?`,
    params: [...selectParams, ...bounded.params, ...(key === null ? [] : key.params), first + 1],
  };
}

/** The cursor of a row the page statement returned. */
export function cursorOf(ordering: Ordering, id: string, sortKey: string | undefined): string {
  if (ordering.name === 'CREATED') return encodeCursor(id);
  return encodeKeysetCursor(ordering.name, sortKey ?? '', id);
}

function decodePosition(ordering: Ordering, after: string): { key: string; id: string } {
  // Version 1's cursors stay valid for version 1's order.
  if (ordering.name === 'CREATED') return { key: '', id: decodeCursor(after) };
  const position = decodeKeysetCursor(after, ordering.name);
  if (ordering.key !== null && !KEY_IS_VALID[ordering.key.type](position.key)) {
    throw badInput('after is not a cursor this API issued', 'after');
  }
  return position;
}

function and(left: Sql, right: Sql): Sql {
  return { sql: `${left.sql} and ${right.sql}`, params: [...left.params, ...right.params] };
}
