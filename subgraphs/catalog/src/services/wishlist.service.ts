import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, encodeCursor, isUuid, notFound, toPage, uuidv7, type Page } from '@storegraph/common';
import { Product } from '../entities';
import { PRODUCT_COLUMNS } from './product.columns';

/**
 * Which products a wishlist shows: archived products drop out of every wishlist and cannot
 * be added (the saved row stays, so un-archiving would bring it back).
 */
const LISTED_PRODUCT_SQL = 'not p.archived';

/**
 * A page of a user's wishlist, newest saved first: a backward range scan of
 * wishlist_items_user_newest_idx, each product by its primary key. Params: user id, after
 * id (twice), limit.
 */
export const WISHLIST_PAGE_SQL = `
  select ${PRODUCT_COLUMNS.split(', ').map((column) => `p.${column}`).join(', ')}, w.id as wishlist_id
    from wishlist_items w join products p on p.id = w.product_id
   where w.user_id = ? and ${LISTED_PRODUCT_SQL} and (?::uuid is null or w.id < ?::uuid)
   order by w.id desc limit ?`;

/** Saved products per user, newest saved first; adding and removing are idempotent. */
export class WishlistService {
  constructor(private readonly em: EntityManager) {}

  /** Adding twice keeps one entry (and its first position); an unknown product is NOT_FOUND. */
  async add(userId: string, productId: string): Promise<boolean> {
    if (!isUuid(productId)) throw notFound('Product');
    const [result] = await this.em.execute<Array<{ found: number }>>(
      `with product as (select id from products p where id = ? and ${LISTED_PRODUCT_SQL}),
       saved as (
         insert into wishlist_items (id, user_id, product_id) select ?, ?, id from product
         on conflict (user_id, product_id) do nothing)
       select (select count(*) from product)::int as found`,
      [productId, uuidv7(), userId],
    );
    if (result.found === 0) throw notFound('Product');
    return true;
  }

  /** True whether or not the product was on the list. */
  async remove(userId: string, productId: string): Promise<boolean> {
    if (!isUuid(productId)) return true;
    await this.em.execute('delete from wishlist_items where user_id = ? and product_id = ?', [userId, productId]);
    return true;
  }

  async list(userId: string, first: number, after: string | null | undefined): Promise<Page<Product>> {
    const afterId = after ? decodeCursor(after) : null;
    const [rows, [count]] = await Promise.all([
      this.em.execute<Array<Record<string, unknown> & { wishlist_id: string }>>(WISHLIST_PAGE_SQL, [userId, afterId, afterId, first + 1]),
      this.em.execute<Array<{ total: number }>>(
        `select count(*)::int as total from wishlist_items w join products p on p.id = w.product_id
          where w.user_id = ? and ${LISTED_PRODUCT_SQL}`,
        [userId],
      ),
    ]);
    const cursors = new Map<Product, string>();
    const products = rows.map((row) => {
      const { wishlist_id: wishlistId, ...columnsOfProduct } = row;
      const product = this.em.map(Product, columnsOfProduct);
      cursors.set(product, encodeCursor(wishlistId));
      return product;
    });
    return toPage(products, first, count.total, (product) => cursors.get(product)!);
  }
}
