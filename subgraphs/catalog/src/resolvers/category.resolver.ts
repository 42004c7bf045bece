import { requireAdmin } from '@storegraph/common';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { CatalogContext } from '../context';
import { Category } from '../entities';
import { CreateCategoryInput, UpdateCategoryInput } from '../types/category.input';

@Resolver(() => Category)
export class CategoryResolver {
  @Query(() => [Category])
  categories(@Ctx() ctx: CatalogContext): Promise<Category[]> {
    return ctx.categories.list();
  }

  @Mutation(() => Category, { description: 'ADMIN only.' })
  createCategory(@Arg('input', () => CreateCategoryInput) input: CreateCategoryInput, @Ctx() ctx: CatalogContext): Promise<Category> {
    return ctx.categories.create(input, requireAdmin(ctx).userId);
  }

  @Mutation(() => Category, { description: 'ADMIN only.' })
  updateCategory(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCategoryInput) input: UpdateCategoryInput,
    @Ctx() ctx: CatalogContext,
  ): Promise<Category> {
    return ctx.categories.update(id, input, requireAdmin(ctx).userId);
  }
}
