import { requireAdmin } from '@storegraph/common';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { CatalogContext } from '../context';
import { Category } from '../entities';
import { CreateCategoryInput } from '../types/category.input';

@Resolver(() => Category)
export class CategoryResolver {
  @Query(() => [Category])
  categories(@Ctx() ctx: CatalogContext): Promise<Category[]> {
    return ctx.categories.list();
  }

  @Mutation(() => Category, { description: 'ADMIN only.' })
  createCategory(@Arg('input', () => CreateCategoryInput) input: CreateCategoryInput, @Ctx() ctx: CatalogContext): Promise<Category> {
    requireAdmin(ctx);
    return ctx.categories.create(input);
  }
}
