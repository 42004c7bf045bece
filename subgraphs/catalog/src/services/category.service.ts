import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, executePrepared, isUuid, notFound, recordAudit } from '@storegraph/common';
import { Category } from '../entities';
import { validateName, validateSlug } from './catalog.validation';

export interface CreateCategoryData {
  name: string;
  slug: string;
}

/** Absent or null fields stay as they are. */
export interface UpdateCategoryData {
  name?: string | null;
  slug?: string | null;
}

export class CategoryService {
  constructor(private readonly em: EntityManager) {}

  list(): Promise<Category[]> {
    return this.em.find(Category, {}, { orderBy: { name: 'asc', id: 'asc' } });
  }

  /** Keyed loads for the DataLoader: one query, results in the order of `ids`. */
  async findByIds(ids: readonly string[]): Promise<Array<Category | null>> {
    const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    // A prepared statement mapped by the ORM, as products' findByIds: every page of products asks.
    const found =
      wanted.length > 0
        ? await executePrepared<Record<string, unknown>>(this.em, {
            text: 'select id, name, slug, created_at from categories where id = any(?::uuid[])',
            params: [`{${wanted.join(',')}}`],
          })
        : [];
    const byId = new Map(found.map((row) => [row.id as string, this.em.map(Category, row)]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  }

  /** `actorId`: the ADMIN, for the audit entry recorded in the change's transaction. */
  async create(data: CreateCategoryData, actorId: string): Promise<Category> {
    const name = validateName(data.name);
    const slug = validateSlug(data.slug);
    try {
      // The unique constraint decides duplicates; the transaction's fork is discarded on failure.
      return await this.em.transactional(async (tx) => {
        const category = tx.create(Category, { name, slug });
        // Flushed first: a taken slug fails here, before any entry is written.
        await tx.flush();
        await recordAudit(tx, 'catalog', {
          actorId,
          action: 'category.created',
          targetType: 'Category',
          targetId: category.id,
          before: null,
          after: { name, slug },
        });
        return category;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw conflict(`A category with slug "${slug}" already exists`);
      throw err;
    }
  }

  /** Validated as createCategory validates; another category's slug: CONFLICT. */
  async update(id: string, data: UpdateCategoryData, actorId: string): Promise<Category> {
    const changes: Partial<Pick<Category, 'name' | 'slug'>> = {};
    if (data.name != null) changes.name = validateName(data.name);
    if (data.slug != null) changes.slug = validateSlug(data.slug);
    if (!isUuid(id)) throw notFound('Category');
    try {
      return await this.em.transactional(async (tx) => {
        const category = await tx.findOne(Category, { id });
        if (!category) throw notFound('Category');
        const before = { name: category.name, slug: category.slug };
        tx.assign(category, changes);
        const after = { name: category.name, slug: category.slug };
        if (before.name !== after.name || before.slug !== after.slug) {
          // Flushed first, so a taken slug is refused before the entry is written.
          await tx.flush();
          await recordAudit(tx, 'catalog', { actorId, action: 'category.updated', targetType: 'Category', targetId: category.id, before, after });
        }
        return category;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw conflict(`A category with slug "${changes.slug}" already exists`);
      throw err;
    }
  }
}
