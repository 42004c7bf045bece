import { Directive, Field, ObjectType } from 'type-graphql';
import { badInput } from './errors';
import { isUuid } from './ids';

@Directive('@shareable')
@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export const MAX_PAGE_SIZE = 100;

export function validateFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return first;
}

/**
 * Cursors are opaque to clients. Inside, they carry the id of the last row seen: ids
 * are UUIDv7, time-ordered and unique, so "after this id" is a stable keyset position.
 */
export function encodeCursor(id: string): string {
  return Buffer.from(`v1:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (decoded.startsWith('v2:')) throw badInput('after is a cursor of a sorted listing; it pages only that sort order', 'after');
  const id = decoded.startsWith('v1:') ? decoded.slice(3) : '';
  if (!isUuid(id)) throw badInput('after is not a cursor this API issued', 'after');
  return id;
}

/**
 * Cursors of an ordered listing (by price, name, rank...): they carry the order's name,
 * the sort key of the last row seen (as the text PostgreSQL printed it, so it casts back
 * exactly) and its id, which breaks ties. A cursor is only good for the order that issued
 * it: rows compared under another order would skip or repeat rows silently.
 */
export function encodeKeysetCursor(order: string, key: string, id: string): string {
  return Buffer.from(`v2:${JSON.stringify([order, key, id])}`).toString('base64url');
}

export interface KeysetPosition {
  key: string;
  id: string;
}

export function decodeKeysetCursor(cursor: string, order: string): KeysetPosition {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (decoded.startsWith('v1:')) throw badInput(`after is a cursor of the listing in creation order, not of ${order}`, 'after');
  const parts = decoded.startsWith('v2:') ? parseJson(decoded.slice(3)) : null;
  if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((part) => typeof part === 'string') || !isUuid(parts[2])) {
    throw badInput('after is not a cursor this API issued', 'after');
  }
  const [issuedFor, key, id] = parts as [string, string, string];
  if (issuedFor !== order) throw badInput('after is a cursor of another sort order (or search); it pages only that one', 'after');
  return { key, id };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * Builds a page from rows fetched with limit first + 1 (the extra row says "there is more").
 * `cursorOf` names each row's position; by default its id (`encodeCursor`).
 */
export function toPage<T extends { id: string }>(
  rows: T[],
  first: number,
  totalCount: number,
  cursorOf: (node: T, index: number) => string = (node) => encodeCursor(node.id),
): Page<T> {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node, index) => ({ cursor: cursorOf(node, index), node }));
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: rows.length > first,
    endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
  });
  return { edges, pageInfo, totalCount };
}
