import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, envelopesOf, executeEmitting, notFound, sql, uuidv7, type EventEnvelope } from '@storegraph/common';
import type { OrdersContext } from '../context';
import { type CartItem, Order, OrderStatus } from '../entities';
import type { CheckoutInput } from '../types/checkout.input';
import { readCartLines, type CartService } from './cart.service';
import type { OrderSagaService } from './order-saga.service';

const MAX_TOKEN_LENGTH = 255;
const MAX_KEY_LENGTH = 255;
const MAX_TOTAL_MINOR = 2_147_483_647;

type CheckoutContext = Pick<OrdersContext, 'em' | 'loaders'>;

/** What identifies "the same input" for an idempotency key: the payment token, hashed. */
export function checkoutFingerprint(paymentToken: string): string {
  return createHash('sha256').update(paymentToken).digest('hex');
}

/**
 * Turns a cart into a PENDING order, in one transaction, at the catalog's current prices;
 * the same transaction puts orders.order.placed in the outbox, which starts the saga.
 */
export class CheckoutService {
  constructor(
    private readonly currency: string,
    private readonly carts: CartService,
    private readonly saga: OrderSagaService,
  ) {}

  async checkout(ctx: CheckoutContext, userId: string, input: CheckoutInput): Promise<Order> {
    const token = input.paymentToken;
    if (token.trim() === '' || token.length > MAX_TOKEN_LENGTH) {
      throw badInput(`paymentToken must be 1 to ${MAX_TOKEN_LENGTH} characters`, 'paymentToken');
    }
    const key = input.idempotencyKey ?? null;
    if (key !== null && (key === '' || key.length > MAX_KEY_LENGTH)) {
      throw badInput(`idempotencyKey must be 1 to ${MAX_KEY_LENGTH} characters`, 'idempotencyKey');
    }
    const fingerprint = checkoutFingerprint(token);
    const placed = await this.placeAsRead(ctx, userId, token, key, fingerprint);
    if (placed) return placed;

    return ctx.em.transactional(async (em) => {
      // The row locks serialize checkouts of one user: a concurrent duplicate waits here,
      // then finds the cart emptied and the first order under its key.
      const lines = await readCartLines(em, userId, true);
      if (key !== null) {
        const earlier = await em.findOne(Order, { userId, idempotencyKey: key }, { refresh: true });
        if (earlier) return this.replay(earlier, fingerprint);
      }
      if (lines.length === 0) throw badInput('The cart is empty');

      const order = await this.priceOrder(ctx, userId, lines, token, key, fingerprint);
      const inserted = await this.insertOrder(em, order, lines);
      if (!inserted) {
        // Lost a race the row locks did not cover: the unique constraint decided.
        const winner = await em.findOneOrFail(Order, { userId, idempotencyKey: key }, { refresh: true });
        return this.replay(winner, fingerprint);
      }
      return order.entity;
    });
  }

  /**
   * The common case without a transaction: the cart as read a moment ago, priced, then ONE
   * statement that locks its lines and writes the order only if they are still exactly
   * what was priced. null when that did not happen (an empty cart, a cart changed
   * meanwhile, a key used before, a line the catalog refuses): the transaction in
   * checkout() then decides, under the row locks, and answers as it always did.
   */
  private async placeAsRead(
    ctx: CheckoutContext,
    userId: string,
    token: string,
    key: string | null,
    fingerprint: string,
  ): Promise<Order | null> {
    const lines = await readCartLines(ctx.em, userId, false);
    if (lines.length === 0) return null;
    let order: { entity: Order; unitPrices: number[] };
    try {
      order = await this.priceOrder(ctx, userId, lines, token, key, fingerprint);
    } catch {
      return null;
    }
    return (await this.insertOrder(ctx.em, order, lines)) ? order.entity : null;
  }

  private replay(earlier: Order, fingerprint: string): Order {
    if (earlier.requestFingerprint !== fingerprint) {
      throw conflict('This idempotency key was already used for a checkout with other input');
    }
    return earlier;
  }

  private async priceOrder(
    ctx: CheckoutContext,
    userId: string,
    lines: CartItem[],
    paymentToken: string,
    idempotencyKey: string | null,
    requestFingerprint: string,
  ): Promise<{ entity: Order; unitPrices: number[] }> {
    const products = await ctx.loaders.product.loadMany(lines.map((line) => line.productId));
    const unitPrices = lines.map((line, i) => {
      const product = products[i];
      if (product instanceof Error) throw product;
      if (!product) throw notFound(`Product ${line.productId}`);
      return this.carts.priceIn(product);
    });
    const totalMinor = lines.reduce((sum, line, i) => sum + unitPrices[i] * line.quantity, 0);
    if (totalMinor > MAX_TOTAL_MINOR) throw badInput('The order total is too large');
    const createdAt = new Date();
    const entity = Object.assign(new Order(), {
      id: uuidv7(createdAt.getTime()),
      userId,
      status: OrderStatus.PENDING,
      failureReason: null,
      totalMinor,
      currency: this.currency,
      statusHistory: [{ status: OrderStatus.PENDING, at: createdAt.toISOString() }],
      paymentToken,
      idempotencyKey,
      requestFingerprint,
      createdAt,
    });
    return { entity, unitPrices };
  }

  /**
   * The order, its lines, the cart emptied of them and orders.order.placed (which starts
   * the saga), in ONE statement. It first locks the user's cart lines and goes on only if
   * they are exactly the priced lines (same products, same quantities); every other part
   * runs only if the order row was inserted. So false (the cart changed since it was
   * read, or an order with this user and idempotency key exists already) means nothing
   * was written. Only the lines that were ordered leave the cart: a line added meanwhile
   * stays. Inside checkout()'s transaction the lines are locked already and always match.
   */
  private async insertOrder(em: EntityManager, order: { entity: Order; unitPrices: number[] }, lines: CartItem[]): Promise<boolean> {
    const o = order.entity;
    const orderLines = lines.map((line, position) => ({
      position,
      product_id: line.productId,
      quantity: line.quantity,
      unit_price_minor: order.unitPrices[position],
    }));
    const { inserted } = await executeEmitting<{ inserted: number; events: EventEnvelope[] }>(
      em,
      sql`with locked as (
            -- the order readCartLines locks in, so two checkouts of one user never deadlock
            select product_id, quantity from cart_items where user_id = ${o.userId}::uuid
             order by added_at asc, product_id asc for update),
          priced as (
            select * from jsonb_to_recordset(${JSON.stringify(orderLines)}::jsonb)
              as x(position int, product_id uuid, quantity int, unit_price_minor int)),
          unchanged as (
            select (select count(*) from locked) = (select count(*) from priced)
               and not exists (select 1 from priced left join locked using (product_id)
                                where locked.quantity is distinct from priced.quantity) as ok),
          placed as (
            insert into orders (id, user_id, status, failure_reason, total_minor, currency, status_history,
                                payment_token, idempotency_key, request_fingerprint, created_at)
            select ${o.id}::uuid, ${o.userId}::uuid, ${o.status}, null, ${o.totalMinor}, ${o.currency},
                   ${JSON.stringify(o.statusHistory)}::jsonb, ${o.paymentToken}, ${o.idempotencyKey}, ${o.requestFingerprint},
                   ${o.createdAt}::timestamptz
             where (select ok from unchanged)
            on conflict (user_id, idempotency_key) do nothing
            returning id),
          ordered as (
            insert into order_items (order_id, position, product_id, quantity, unit_price_minor)
            select placed.id, priced.position, priced.product_id, priced.quantity, priced.unit_price_minor
              from placed, priced),
          emptied as (
            delete from cart_items
             where user_id = ${o.userId}::uuid and product_id = any(${`{${lines.map((line) => line.productId).join(',')}}`}::uuid[])
               and exists (select 1 from placed)),
          announced as (${this.saga.placedAnnouncement(sql`placed`, o, lines)})
          select (select count(*) from placed)::int as inserted,
                 ${envelopesOf(sql`announced`)} as events`,
    );
    return inserted === 1;
  }
}
