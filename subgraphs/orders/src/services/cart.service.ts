import { badInput, conflict, executePrepared, isUuid, money, notFound, sql, type Money } from '@storegraph/common';
import { CartItem } from '../entities';
import type { OrdersContext } from '../context';
import { Cart } from '../types/cart.type';
import type { CatalogProduct } from './product-catalog';

/**
 * The user's cart lines, oldest first, as detached CartItems (no entity manager tracks
 * them); `lock` takes their row locks until the transaction ends.
 */
export async function readCartLines(em: CartContext['em'], userId: string, lock: boolean): Promise<CartItem[]> {
  const rows = await executePrepared<CartLineRow>(em, {
    text: `select product_id, quantity, added_at from cart_items where user_id = ?::uuid order by added_at asc, product_id asc${lock ? ' for update' : ''}`,
    params: [userId],
  });
  return rows.map((row) => cartItem(userId, row));
}

interface CartLineRow {
  product_id: string;
  quantity: number;
  added_at: string | Date;
}

const cartItem = (userId: string, row: CartLineRow): CartItem =>
  Object.assign(new CartItem(), { userId, productId: row.product_id, quantity: row.quantity, addedAt: new Date(row.added_at) });

/** A line above this is a typo or an attack, not a purchase; it also keeps sums in int range. */
export const MAX_LINE_QUANTITY = 10_000;

type CartContext = Pick<OrdersContext, 'em' | 'loaders'>;

/** The persisted cart of one user. Callers pass the signed-in user's id. */
export class CartService {
  constructor(private readonly currency: string) {}

  async getCart(ctx: CartContext, userId: string): Promise<Cart> {
    // Plain SQL, always fresh: the lines may just have been changed by SQL, and the ORM's
    // find costs more than the statement on this hot path (every cart mutation ends here).
    const items = await readCartLines(ctx.em, userId, false);
    return Object.assign(new Cart(), { userId, items });
  }

  /** Adds to the line (creating it); the upsert makes concurrent adds sum up, never overwrite. */
  async addToCart(ctx: CartContext, userId: string, productId: string, quantity: number): Promise<Cart> {
    if (quantity < 1) throw badInput('quantity must be at least 1', 'quantity');
    if (quantity > MAX_LINE_QUANTITY) throw badInput(`quantity must be at most ${MAX_LINE_QUANTITY}`, 'quantity');
    await this.requireProduct(ctx, userId, productId);
    // The upsert and the cart it leaves in one statement: the other lines read beside the
    // upserted one (a statement does not see its own writes in its snapshot).
    const rows = await executePrepared<CartLineRow & { added: boolean }>(
      ctx.em,
      sql`with added as (
            insert into cart_items (user_id, product_id, quantity, added_at) values (${userId}::uuid, ${productId}::uuid, ${quantity}::int, now())
            on conflict (user_id, product_id) do update set quantity = cart_items.quantity + excluded.quantity
            where cart_items.quantity + excluded.quantity <= ${MAX_LINE_QUANTITY}::int
            returning product_id, quantity, added_at)
          select product_id, quantity, added_at, true as added from added
          union all
          select product_id, quantity, added_at, false from cart_items where user_id = ${userId}::uuid and product_id <> ${productId}::uuid
          order by added_at asc, product_id asc`,
    );
    if (!rows.some((row) => row.added)) throw badInput(`a cart line holds at most ${MAX_LINE_QUANTITY} units`, 'quantity');
    return Object.assign(new Cart(), { userId, items: rows.map((row) => cartItem(userId, row)) });
  }

  /** Sets the line to exactly `quantity`; 0 removes it. */
  async updateCartItem(ctx: CartContext, userId: string, productId: string, quantity: number): Promise<Cart> {
    if (quantity < 0) throw badInput('quantity must not be negative', 'quantity');
    if (quantity > MAX_LINE_QUANTITY) throw badInput(`quantity must be at most ${MAX_LINE_QUANTITY}`, 'quantity');
    if (quantity === 0) return this.removeFromCart(ctx, userId, productId);
    await this.requireProduct(ctx, userId, productId);
    await ctx.em.execute(
      `insert into cart_items (user_id, product_id, quantity, added_at) values (?, ?, ?, now())
       on conflict (user_id, product_id) do update set quantity = excluded.quantity`,
      [userId, productId, quantity],
    );
    return this.getCart(ctx, userId);
  }

  /** Removing a line that is not there leaves the cart as it is: the outcome the caller wanted. */
  async removeFromCart(ctx: CartContext, userId: string, productId: string): Promise<Cart> {
    if (isUuid(productId)) await ctx.em.nativeDelete(CartItem, { userId, productId });
    return this.getCart(ctx, userId);
  }

  /** Current catalog price x quantity. A product the catalog no longer has adds nothing. */
  async subtotal(ctx: CartContext, cart: Cart): Promise<Money> {
    return money(await this.subtotalMinor(ctx, cart), this.currency);
  }

  async subtotalMinor(ctx: CartContext, cart: Pick<Cart, 'items'>): Promise<number> {
    const products = await ctx.loaders.product.loadMany(cart.items.map((item) => item.productId));
    let total = 0;
    cart.items.forEach((item, i) => {
      const product = products[i];
      if (product instanceof Error) throw product;
      if (product) total += this.priceIn(product) * item.quantity;
    });
    return total;
  }

  /** The catalog's price in the store currency; a mismatch is a deployment error, not user input. */
  priceIn(product: CatalogProduct): number {
    if (product.currency !== this.currency) {
      throw new Error(`Catalog prices product ${product.id} in ${product.currency}, the store sells in ${this.currency}`);
    }
    return product.priceMinor;
  }

  /**
   * Also asks for the products already in the cart, in the same batch: the Cart a mutation
   * returns is priced from them, and one catalog call is cheaper than a second round trip.
   */
  private async requireProduct(ctx: CartContext, userId: string, productId: string): Promise<CatalogProduct> {
    if (!isUuid(productId)) throw notFound('Product');
    const lines = await executePrepared<{ product_id: string }>(ctx.em, sql`select product_id from cart_items where user_id = ${userId}::uuid`);
    const [product] = await Promise.all([
      ctx.loaders.product.load(productId),
      ctx.loaders.product.loadMany(lines.map((line) => line.product_id)),
    ]);
    if (!product) throw notFound('Product');
    // CONFLICT, not BAD_USER_INPUT: the id is valid and names a product; it is the product's
    // state (archived) that forbids the change, which is what the contract's CONFLICT means.
    if (product.archived) throw conflict('This product is archived and can no longer be added to a cart');
    return product;
  }
}
