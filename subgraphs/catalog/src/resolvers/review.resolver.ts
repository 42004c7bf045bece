import { requireCaller, validateFirst } from '@storegraph/common';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CatalogContext } from '../context';
import { Product } from '../entities';
import { reviewPage, reviewPageKey } from '../services/review.service';
import { Review, ReviewConnection, ReviewInput } from '../types/review.type';

@Resolver(() => Review)
export class ReviewResolver {
  @Mutation(() => Review, {
    description:
      'Signed in. Only someone with a paid order of the product may review it (else FORBIDDEN); one review per user and product (CONFLICT).',
  })
  addReview(
    @Arg('productId', () => ID) productId: string,
    @Arg('input', () => ReviewInput) input: ReviewInput,
    @Ctx() ctx: CatalogContext,
  ): Promise<Review> {
    return ctx.reviews.add(requireCaller(ctx), productId, input);
  }

  @Mutation(() => Boolean, { description: "The review's author or ADMIN." })
  deleteReview(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<boolean> {
    return ctx.reviews.delete(requireCaller(ctx), id);
  }

  @FieldResolver(() => Product)
  async product(@Root() review: Review, @Ctx() ctx: CatalogContext): Promise<Product> {
    const product = await ctx.loaders.product.load(review.productId);
    if (!product) throw new Error(`Review ${review.id} names a product that does not exist`);
    return product;
  }
}

/** `Product.reviews`: through a DataLoader, so a page of products asks once for all of them. */
@Resolver(() => Product)
export class ProductReviewsResolver {
  @FieldResolver(() => ReviewConnection, { description: 'Newest first.' })
  async reviews(
    @Root() product: Product,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Ctx() ctx: CatalogContext,
  ): Promise<ReviewConnection> {
    const size = validateFirst(first);
    const rows = await ctx.loaders.reviewPage.load(reviewPageKey(product.id, size, after));
    // rating_count changes in the same statement as every review insert and delete.
    return reviewPage(rows, size, product.ratingCount);
  }
}
