import { Kind, OperationTypeNode, parse, visit, type FieldNode } from 'graphql';

/**
 * What of one subgraph's API answers the same for every caller. Written per subgraph, by
 * hand and conservatively: a fetch outside it is private and goes out with its caller's
 * identity, unshared. Field names match on any type (a `wishlist` anywhere is private).
 */
export interface PublicSurface {
  /** Root fields whose answer depends on nobody's identity. */
  rootFields: ReadonlySet<string>;
  /** Entity types `_entities` may resolve publicly (checked on every call's representations). */
  entityTypes: ReadonlySet<string>;
  /** Fields whose answer depends on the caller: a fetch selecting one is never shared. */
  callerFields: ReadonlySet<string>;
  /** Public, but changed by something the subgraph's change events do not announce: shared in flight, never cached. */
  uncachedFields: ReadonlySet<string>;
}

export const PUBLIC_SURFACES: Readonly<Record<string, PublicSurface>> = {
  catalog: {
    rootFields: new Set(['products', 'product', 'categories', '_entities', '__typename']),
    entityTypes: new Set(['Product']),
    // Owner or ADMIN only (User.wishlist, Query.stockMovements).
    callerFields: new Set(['wishlist', 'stockMovements']),
    // A review's author name lives in users; catalog announces no change of it.
    uncachedFields: new Set(['reviews', 'authorName']),
  },
};

/** What a fetch document is, worked out once per document text. */
export interface FetchShape {
  /** Null: private. */
  rootFields: Array<{ name: string; key: string }> | null;
  cacheable: boolean;
}

export function shapeOf(surface: PublicSurface, query: string): FetchShape {
  const privateShape = { rootFields: null, cacheable: false };
  let document;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    return privateShape;
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0].operation !== OperationTypeNode.QUERY) return privateShape;
  // Fragments would hide root fields from the check below; the planner does not send them at the root.
  const rootFields: Array<{ name: string; key: string }> = [];
  for (const selection of operations[0].selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !surface.rootFields.has(selection.name.value)) return privateShape;
    rootFields.push({ name: selection.name.value, key: selection.alias?.value ?? selection.name.value });
  }
  let callerDependent = false;
  let cacheable = true;
  visit(document, {
    Field(field: FieldNode) {
      if (surface.callerFields.has(field.name.value)) callerDependent = true;
      if (surface.uncachedFields.has(field.name.value)) cacheable = false;
      // The cache tags an entry by the `id`s in its answer: an alias could put another value there.
      if (field.alias) cacheable = false;
    },
  });
  return callerDependent ? privateShape : { rootFields, cacheable };
}

/** True when every representation of an `_entities` call is of a public entity type. */
export function publicRepresentations(surface: PublicSurface, variables: Record<string, unknown> | undefined): boolean {
  const representations = variables?.representations;
  if (!Array.isArray(representations)) return false;
  return representations.every(
    (r) => typeof r === 'object' && r !== null && surface.entityTypes.has(String((r as Record<string, unknown>).__typename)),
  );
}

/** Tag of the listings (every `products` page, and a `product` that was null): any entry a creation or reorder may change. */
export const LIST_TAG = 'list:products';
export const CATEGORIES_TAG = 'list:categories';

/** A product an answer shows, and the object of the answer that shows it (undefined: null or absent). */
export interface ShownProduct {
  id: string;
  node: Record<string, unknown> | undefined;
}

/**
 * The entities an answer of catalog's public surface contains: cache tags (product ids,
 * plus the listing tags) and the products with the objects that show them (where a stock
 * change is written). Null when an entity in it cannot be named (no `id`): not cached.
 * Categories nested in products carry no tag: a category change drops the whole cache.
 */
export function catalogEntities(
  shape: FetchShape,
  data: Record<string, unknown>,
  variables: Record<string, unknown> | undefined,
): { tags: string[]; products: ShownProduct[] } | null {
  const tags: string[] = [];
  const products: ShownProduct[] = [];
  const push = (value: unknown, id = (value as { id?: unknown } | null | undefined)?.id): boolean => {
    if (typeof id !== 'string') return false;
    tags.push(id);
    products.push({ id, node: typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined });
    return true;
  };
  for (const { name, key } of shape.rootFields ?? []) {
    const value = data[key];
    if (name === '__typename') continue;
    if (name === 'categories') tags.push(CATEGORIES_TAG);
    else if (name === 'product') {
      if (value === null) tags.push(LIST_TAG);
      else if (!push(value)) return null;
    } else if (name === 'products') {
      tags.push(LIST_TAG);
      const edges = (value as { edges?: unknown } | null)?.edges;
      if (Array.isArray(edges)) {
        for (const edge of edges) if (!push((edge as { node?: unknown } | null)?.node)) return null;
      }
    } else if (name === '_entities') {
      // The answer's i-th entity is the i-th representation's, whether or not it selects `id`.
      const representations = (variables?.representations as unknown[]) ?? [];
      const entities = Array.isArray(value) ? (value as unknown[]) : [];
      for (let i = 0; i < representations.length; i++) {
        if (!push(entities[i], (representations[i] as { id?: unknown } | null)?.id)) return null;
      }
    } else return null;
  }
  return { tags, products };
}
