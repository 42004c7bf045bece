import { Money, money, requireAdmin } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CatalogContext } from '../context';
import { Category, Product } from '../entities';
import { ProductConnection } from '../types/product-connection.type';
import { CreateProductInput, ProductFilter, UpdateProductInput } from '../types/product.input';

@Resolver(() => Product)
export class ProductResolver {
  @Query(() => Product, { nullable: true })
  product(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<Product | null> {
    return ctx.products.findById(id);
  }

  @Query(() => ProductConnection)
  products(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: 'first: 1..100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Arg('filter', () => ProductFilter, { nullable: true }) filter: ProductFilter | null | undefined,
    @Ctx() ctx: CatalogContext,
  ): Promise<ProductConnection> {
    return ctx.productListing.list(first, after, filter);
  }

  @Mutation(() => Product, { description: 'ADMIN only.' })
  createProduct(@Arg('input', () => CreateProductInput) input: CreateProductInput, @Ctx() ctx: CatalogContext): Promise<Product> {
    requireAdmin(ctx);
    return ctx.products.create(input);
  }

  @Mutation(() => Product, { description: 'ADMIN only.' })
  updateProduct(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProductInput) input: UpdateProductInput,
    @Ctx() ctx: CatalogContext,
  ): Promise<Product> {
    requireAdmin(ctx);
    return ctx.products.update(id, input);
  }

  @Mutation(() => Product, { description: 'ADMIN only. Sets units on hand (restock or correction); never below units reserved.' })
  setStock(
    @Arg('productId', () => ID) productId: string,
    @Arg('quantity', () => Int) quantity: number,
    @Ctx() ctx: CatalogContext,
  ): Promise<Product> {
    requireAdmin(ctx);
    return ctx.products.setStock(productId, quantity);
  }

  @FieldResolver(() => Money)
  price(@Root() product: Product, @Ctx() ctx: CatalogContext): Money {
    return money(product.priceMinor, ctx.currency);
  }

  @FieldResolver(() => Category, { nullable: true })
  category(@Root() product: Product, @Ctx() ctx: CatalogContext): Promise<Category | null> | null {
    return product.categoryId === null ? null : ctx.loaders.category.load(product.categoryId);
  }
}
