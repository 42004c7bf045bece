import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, decodeCursor, forbidden, isUuid, notFound, toPage, uuidv7, type Caller, type Page } from '@storegraph/common';
import type { ReviewLimits } from '../config';
import { Review } from '../types/review.type';
import { validateReview, type ReviewText } from './catalog.validation';
import { hasPaidOrderOf } from './purchase.record';
import type { UserDirectory } from './user-directory';

const REVIEW_COLUMNS = 'id, product_id, user_id, author_name, rating, title, body, verified_purchase, created_at';

/**
 * Newest `limit` reviews of each product in `?::uuid[]`, after a review id (or from the
 * start): per product a backward range scan of reviews_product_newest_idx that stops at
 * the limit. Params: product ids, after id (twice), limit.
 */
export const REVIEW_PAGES_SQL = `
  select r.* from unnest(?::uuid[]) as p(id)
    cross join lateral (
      select ${REVIEW_COLUMNS} from reviews
       where product_id = p.id and (?::uuid is null or id < ?::uuid)
       order by id desc limit ?) r`;

interface ReviewRow {
  id: string;
  product_id: string;
  user_id: string;
  author_name: string;
  rating: number;
  title: string;
  body: string;
  verified_purchase: boolean;
  created_at: Date | string;
}

export function reviewFromRow(row: ReviewRow): Review {
  return Object.assign(new Review(), {
    id: row.id,
    productId: row.product_id,
    userId: row.user_id,
    authorName: row.author_name,
    rating: row.rating,
    title: row.title,
    body: row.body,
    verifiedPurchase: row.verified_purchase,
    createdAt: new Date(row.created_at),
  });
}

/** Which page of a product's reviews: `first` newest, after the review id `afterId`. */
export interface ReviewPageKey {
  productId: string;
  first: number;
  afterId: string | null;
}

/**
 * Reviews and the product's rating. `rating_sum` and `rating_count` on products change in
 * the SAME statement as the review's insert or delete: PostgreSQL locks the product row for
 * the update and re-reads it, so any number of concurrent reviews and deletions leave the
 * sum and count equal to the reviews table, and nobody can see one without the other.
 */
export class ReviewService {
  constructor(
    private readonly em: EntityManager,
    private readonly limits: ReviewLimits,
    private readonly users: UserDirectory,
  ) {}

  async add(caller: Caller, productId: string, input: ReviewText): Promise<Review> {
    const text = validateReview(input, this.limits);
    if (!isUuid(productId)) throw notFound('Product');
    const [product] = await this.em.execute<Array<{ id: string }>>('select id from products where id = ?', [productId]);
    if (!product) throw notFound('Product');
    if (!(await hasPaidOrderOf(this.em, caller.userId, productId))) {
      throw forbidden('Only a customer with a paid order of this product may review it');
    }
    // Only spares a second review the call to users: the insert's unique constraint decides.
    const [existing] = await this.em.execute('select 1 from reviews where user_id = ? and product_id = ?', [caller.userId, productId]);
    if (existing) throw conflict('You have already reviewed this product');
    const authorName = await this.users.displayNameOf(caller);
    if (!authorName) throw forbidden('Only a known user may review');

    const [row] = await this.em.execute<ReviewRow[]>(
      `with inserted as (
         insert into reviews (id, product_id, user_id, author_name, rating, title, body, verified_purchase)
         values (?, ?, ?, ?, ?, ?, ?, true)
         on conflict (user_id, product_id) do nothing
         returning ${REVIEW_COLUMNS}),
       rated as (
         update products p set rating_sum = p.rating_sum + i.rating, rating_count = p.rating_count + 1
           from inserted i where p.id = i.product_id)
       select * from inserted`,
      [uuidv7(), productId, caller.userId, authorName, text.rating, text.title, text.body],
    );
    // A concurrent add by the same user got there between the check and the insert.
    if (!row) throw conflict('You have already reviewed this product');
    return reviewFromRow(row);
  }

  /** The author or an ADMIN; the row is locked first, so two deletions subtract once. */
  async delete(caller: Caller, id: string): Promise<boolean> {
    if (!isUuid(id)) throw notFound('Review');
    const [result] = await this.em.execute<Array<{ found: number; deleted: number }>>(
      `with target as (select id, user_id from reviews where id = ? for update),
       deleted as (
         delete from reviews r using target t where r.id = t.id and (t.user_id = ? or ?)
         returning r.product_id, r.rating),
       rated as (
         update products p set rating_sum = p.rating_sum - d.rating, rating_count = p.rating_count - 1
           from deleted d where p.id = d.product_id)
       select (select count(*) from target)::int as found, (select count(*) from deleted)::int as deleted`,
      [id, caller.userId, caller.role === 'ADMIN'],
    );
    if (result.found === 0) throw notFound('Review');
    if (result.deleted === 0) throw forbidden("Only the review's author or an ADMIN may delete it");
    return true;
  }

  /**
   * Pages of several products' reviews in one statement (the DataLoader's batch): keys of
   * the same `first`/`after` share a LATERAL query, newest first by the time-ordered id.
   */
  async pages(keys: readonly ReviewPageKey[]): Promise<Review[][]> {
    const groups = new Map<string, ReviewPageKey[]>();
    for (const key of keys) {
      const group = `${key.first}:${key.afterId ?? ''}`;
      groups.set(group, [...(groups.get(group) ?? []), key]);
    }
    const byKey = new Map<string, Review[]>();
    for (const group of groups.values()) {
      const { first, afterId } = group[0];
      const productIds = [...new Set(group.map((key) => key.productId))];
      const rows = await this.em.execute<ReviewRow[]>(REVIEW_PAGES_SQL, [`{${productIds.join(',')}}`, afterId, afterId, first + 1]);
      for (const productId of productIds) byKey.set(`${productId}:${first}:${afterId ?? ''}`, []);
      for (const row of rows) byKey.get(`${row.product_id}:${first}:${afterId ?? ''}`)!.push(reviewFromRow(row));
    }
    return keys.map((key) => byKey.get(`${key.productId}:${key.first}:${key.afterId ?? ''}`) ?? []);
  }
}

/** A page from the loader's rows; the total is the product's rating count, equal to its reviews. */
export function reviewPage(rows: Review[], first: number, totalCount: number): Page<Review> {
  return toPage(rows, first, totalCount);
}

export function reviewPageKey(productId: string, first: number, after: string | null | undefined): ReviewPageKey {
  return { productId, first, afterId: after ? decodeCursor(after) : null };
}
