import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '@storegraph/common';
import { Category } from '../entities';
import { validateName, validateSlug } from './catalog.validation';

export interface CreateCategoryData {
  name: string;
  slug: string;
}

export class CategoryService {
  constructor(private readonly em: EntityManager) {}

  list(): Promise<Category[]> {
    return this.em.find(Category, {}, { orderBy: { name: 'asc', id: 'asc' } });
  }

  /** Keyed loads for the DataLoader: one query, results in the order of `ids`. */
  async findByIds(ids: readonly string[]): Promise<Array<Category | null>> {
    const found = await this.em.find(Category, { id: { $in: [...ids] } });
    const byId = new Map(found.map((category) => [category.id, category]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async create(data: CreateCategoryData): Promise<Category> {
    const name = validateName(data.name);
    const slug = validateSlug(data.slug);
    try {
      // The unique constraint decides duplicates; the transaction's fork is discarded on failure.
      return await this.em.transactional((tx) => tx.create(Category, { name, slug }));
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw conflict(`A category with slug "${slug}" already exists`);
      throw err;
    }
  }
}
