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
  const id = decoded.startsWith('v1:') ? decoded.slice(3) : '';
  if (!isUuid(id)) throw badInput('after is not a cursor this API issued', 'after');
  return id;
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds a page from rows fetched with limit first + 1 (the extra row says "there is more"). */
export function toPage<T extends { id: string }>(rows: T[], first: number, totalCount: number): Page<T> {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: rows.length > first,
    endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
  });
  return { edges, pageInfo, totalCount };
}
