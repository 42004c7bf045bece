import { Money, money, requireAdmin } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CatalogContext } from '../context';
import { Category, Product } from '../entities';
import { ProductConnection } from '../types/product-connection.type';
import { ProductImage } from '../types/product-image.type';
import { ProductSort } from '../types/product-sort.enum';
import { CreateProductInput, ProductFilter, UpdateProductInput } from '../types/product.input';
import { RatingSummary } from '../types/rating-summary.type';

@Resolver(() => Product)
export class ProductResolver {
  @Query(() => Product, { nullable: true })
  product(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<Product | null> {
    return ctx.products.findById(id);
  }

  @Query(() => ProductConnection, { description: 'first: 1..100. sort absent: creation order.' })
  products(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Arg('filter', () => ProductFilter, { nullable: true }) filter: ProductFilter | null | undefined,
    @Arg('sort', () => ProductSort, { nullable: true }) sort: ProductSort | null | undefined,
    @Ctx() ctx: CatalogContext,
  ): Promise<ProductConnection> {
    return ctx.productListing.list(first, after, filter, sort);
  }

  @Mutation(() => Product, { description: 'ADMIN only.' })
  createProduct(@Arg('input', () => CreateProductInput) input: CreateProductInput, @Ctx() ctx: CatalogContext): Promise<Product> {
    return ctx.products.create(input, requireAdmin(ctx).userId);
  }

  @Mutation(() => Product, { description: 'ADMIN only.' })
  updateProduct(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProductInput) input: UpdateProductInput,
    @Ctx() ctx: CatalogContext,
  ): Promise<Product> {
    return ctx.products.update(id, input, requireAdmin(ctx).userId);
  }

  @Mutation(() => Product, { description: 'ADMIN only. Sets units on hand (restock or correction); never below units reserved.' })
  setStock(
    @Arg('productId', () => ID) productId: string,
    @Arg('quantity', () => Int) quantity: number,
    @Ctx() ctx: CatalogContext,
  ): Promise<Product> {
    return ctx.products.setStock(productId, quantity, requireAdmin(ctx).userId);
  }

  @Mutation(() => Product, { description: 'ADMIN only. Idempotent: an archived product is returned as it is.' })
  archiveProduct(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<Product> {
    return ctx.products.archive(id, requireAdmin(ctx).userId);
  }

  @Mutation(() => Product, {
    description: 'ADMIN only. Adds delta (may be negative) to units on hand, never below units reserved (CONFLICT), recorded with the reason.',
  })
  adjustStock(
    @Arg('productId', () => ID) productId: string,
    @Arg('delta', () => Int) delta: number,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: CatalogContext,
  ): Promise<Product> {
    return ctx.products.adjustStock(productId, delta, reason, requireAdmin(ctx).userId);
  }

  @FieldResolver(() => Money)
  price(@Root() product: Product, @Ctx() ctx: CatalogContext): Money {
    return money(product.priceMinor, ctx.currency);
  }

  /** Stored on the product row (jsonb): no statement of its own, whatever the page size. */
  @FieldResolver(() => [ProductImage])
  images(@Root() product: Product): ProductImage[] {
    return product.images;
  }

  /** From the row's exact sum and count, so a page of products costs no extra statement. */
  @FieldResolver(() => RatingSummary)
  rating(@Root() product: Product): RatingSummary {
    return { average: product.ratingCount === 0 ? null : product.ratingSum / product.ratingCount, count: product.ratingCount };
  }

  @FieldResolver(() => Category, { nullable: true })
  category(@Root() product: Product, @Ctx() ctx: CatalogContext): Promise<Category | null> | null {
    return product.categoryId === null ? null : ctx.loaders.category.load(product.categoryId);
  }
}
