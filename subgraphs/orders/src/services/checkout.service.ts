import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  badInput, conflict, envelopesOf, executeEmitting, executePrepared, isUuid, notFound, requireCaller, sql, uuidv7, validateAddress,
  type EventEnvelope, type Sql,
} from '@storegraph/common';
import type { OrdersContext } from '../context';
import { CartItem, Order, OrderStatus, type StoredShippingAddress } from '../entities';
import type { CheckoutInput } from '../types/checkout.input';
import type { AddressBook, SavedAddress } from './address-book';
import { readHeldCoupon } from './cart-coupon.service';
import { readCartLines, type CartService } from './cart.service';
import { couponProblem, discountFor, type HeldCoupon } from './coupon.rules';
import { userUsesOf } from './coupon.row';
import { knownDefaultColumn, readKnownDefault, type KnownDefault } from './default-address.replica';
import type { OrderSagaService } from './order-saga.service';

const MAX_TOKEN_LENGTH = 255;
const MAX_KEY_LENGTH = 255;
const MAX_TOTAL_MINOR = 2_147_483_647;

type CheckoutContext = Pick<OrdersContext, 'em' | 'loaders' | 'caller'>;

/** An order about to be written: the row, its lines' unit prices, and the coupon it takes a use of. */
interface PricedOrder {
  entity: Order;
  unitPrices: number[];
  coupon: HeldCoupon | null;
}

/**
 * What checkout's statement did: placed the order; found the cart not as priced (lines or
 * coupon); found the coupon no longer usable under its row lock; or found the idempotency
 * key taken.
 */
type InsertOutcome = 'placed' | 'cart-changed' | 'coupon-refused' | 'key-taken';

/** The address part of a checkout's input, as given (an inline address validated). */
type AddressChoice = { id: string } | { inline: StoredShippingAddress } | null;

/**
 * What identifies "the same input" for an idempotency key: the payment token and the
 * address asked for, hashed. Without an address choice it is the token's hash alone, as
 * before addresses existed, so keys used then still replay.
 */
export function checkoutFingerprint(paymentToken: string, address: AddressChoice = null): string {
  const hash = createHash('sha256').update(paymentToken);
  if (address !== null) hash.update(`\n${JSON.stringify(address)}`);
  return hash.digest('hex');
}

/** The columns an order keeps of a saved address: a copy, not a reference. */
function copyOf(address: SavedAddress | StoredShippingAddress): StoredShippingAddress {
  const { name, line1, line2, city, region, postalCode, country, phone } = address;
  return { name, line1, line2, city, region, postalCode, country, phone };
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
    private readonly addresses: AddressBook,
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
    const choice = addressChoice(input);
    const fingerprint = checkoutFingerprint(token, choice);
    // A named address is asked of users at once, while the cart is read and priced; the
    // default comes with the cart read. Nothing is written before the address is known.
    const shipTo = new ShippingAddressOf(choice, () => this.addresses.addressesOf(requireCaller(ctx)));
    const placed = await this.placeAsRead(ctx, userId, token, key, fingerprint, shipTo);
    if (placed) return placed;
    const address = await shipTo.resolve(() => readKnownDefault(ctx.em, userId));

    return ctx.em.transactional(async (em) => {
      // The row locks serialize checkouts of one user: a concurrent duplicate waits here,
      // then finds the cart emptied and the first order under its key.
      const lines = await readCartLines(em, userId, true);
      if (key !== null) {
        const earlier = await em.findOne(Order, { userId, idempotencyKey: key }, { refresh: true });
        if (earlier) return this.replay(earlier, fingerprint);
      }
      if (lines.length === 0) throw badInput('The cart is empty');

      const coupon = await readHeldCoupon(em, userId);
      const order = await this.priceOrder(ctx, userId, lines, coupon, token, key, fingerprint, address);
      const problem = coupon && couponProblem(coupon, order.entity.totalMinor + order.entity.discountMinor);
      // CONFLICT, not BAD_USER_INPUT: the request is fine, the cart holds a coupon its
      // state no longer allows; rolling back leaves the cart (and its coupon) unchanged.
      if (problem) throw conflict(`${problem}: remove it from the cart to check out`);
      const outcome = await this.insertOrder(em, order, lines);
      if (outcome === 'coupon-refused') throw conflict(`Coupon ${coupon?.code} was just used up: remove it from the cart to check out`);
      if (outcome === 'cart-changed') throw conflict("The cart's coupon changed during checkout: check out again");
      if (outcome === 'key-taken') {
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
    shipTo: ShippingAddressOf,
  ): Promise<Order | null> {
    const { lines, couponId, knownDefault } = await readCheckoutCart(ctx.em, userId);
    if (lines.length === 0) return null;
    // Users is asked for the default only when orders' copy has no row for the caller:
    // then beside the pricing, as a named address is.
    const shippingAddress = shipTo.resolve(knownDefault);
    let coupon: HeldCoupon | null;
    let order: PricedOrder;
    try {
      // The coupon's terms are read while the catalog prices the lines (priceOrder then
      // finds the prices loaded), so a coupon costs a statement but no time; the write
      // checks the cart still holds the coupon read.
      coupon =
        couponId === null
          ? null
          : (await Promise.all([readHeldCoupon(ctx.em, userId), ctx.loaders.product.loadMany(lines.map((line) => line.productId))]))[0];
      order = await this.priceOrder(ctx, userId, lines, coupon, token, key, fingerprint, shippingAddress);
    } catch {
      return null;
    }
    if (coupon && couponProblem(coupon, order.entity.totalMinor + order.entity.discountMinor)) return null;
    return (await this.insertOrder(ctx.em, order, lines)) === 'placed' ? order.entity : null;
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
    coupon: HeldCoupon | null,
    paymentToken: string,
    idempotencyKey: string | null,
    requestFingerprint: string,
    /** May still be on its way from users: asked beside the catalog, not after it. */
    address: StoredShippingAddress | null | Promise<StoredShippingAddress | null>,
  ): Promise<PricedOrder> {
    const products = await ctx.loaders.product.loadMany(lines.map((line) => line.productId));
    const shippingAddress = await address;
    const unitPrices = lines.map((line, i) => {
      const product = products[i];
      if (product instanceof Error) throw product;
      if (!product) throw notFound(`Product ${line.productId}`);
      return this.carts.priceIn(product);
    });
    const subtotalMinor = lines.reduce((sum, line, i) => sum + unitPrices[i] * line.quantity, 0);
    if (subtotalMinor > MAX_TOTAL_MINOR) throw badInput('The order total is too large');
    const discountMinor = coupon ? discountFor(coupon, subtotalMinor) : 0;
    const createdAt = new Date();
    const entity = Object.assign(new Order(), {
      id: uuidv7(createdAt.getTime()),
      userId,
      status: OrderStatus.PENDING,
      failureReason: null,
      totalMinor: subtotalMinor - discountMinor,
      discountMinor,
      couponId: coupon?.id ?? null,
      couponCode: coupon?.code ?? null,
      currency: this.currency,
      statusHistory: [{ status: OrderStatus.PENDING, at: createdAt.toISOString() }],
      paymentToken,
      idempotencyKey,
      requestFingerprint,
      createdAt,
      shippingAddress,
    });
    return { entity, unitPrices, coupon };
  }

  /**
   * The order, its lines, the cart emptied of them and orders.order.placed (which starts
   * the saga), in ONE statement. It first locks the user's cart lines and goes on only if
   * they are exactly the priced lines (same products, same quantities); every other part
   * runs only if the order row was inserted. So anything but 'placed' (the cart changed
   * since it was read, an order with this user and idempotency key exists already) means
   * nothing was written. Only the lines that were ordered leave the cart: a line added
   * meanwhile stays. Inside checkout()'s transaction the lines are locked already and
   * always match. With a coupon, see couponParts: the same statement takes its use.
   */
  private async insertOrder(em: EntityManager, order: PricedOrder, lines: CartItem[]): Promise<InsertOutcome> {
    const o = order.entity;
    const orderLines = lines.map((line, position) => ({
      position,
      product_id: line.productId,
      quantity: line.quantity,
      unit_price_minor: order.unitPrices[position],
    }));
    const c = couponParts(o, order.coupon);
    const row = await executeEmitting<{ inserted: number; ok: boolean; usable: boolean; events: EventEnvelope[] }>(
      em,
      sql`with locked as (
            -- the order readCartLines locks in, so two checkouts of one user never deadlock
            select product_id, quantity from cart_items where user_id = ${o.userId}::uuid
             order by added_at asc, product_id asc for update),
          priced as (
            select * from jsonb_to_recordset(${JSON.stringify(orderLines)}::jsonb)
              as x(position int, product_id uuid, quantity int, unit_price_minor int)),${c.held}
          unchanged as (
            select (select count(*) from locked) = (select count(*) from priced)
               and not exists (select 1 from priced left join locked using (product_id)
                                where locked.quantity is distinct from priced.quantity)${c.stillHeld} as ok),${c.usable}
          placed as (
            insert into orders (id, user_id, status, failure_reason, total_minor, currency, status_history,
                                payment_token, idempotency_key, request_fingerprint, created_at, shipping_address${c.columns})
            select ${o.id}::uuid, ${o.userId}::uuid, ${o.status}, null, ${o.totalMinor}, ${o.currency},
                   ${JSON.stringify(o.statusHistory)}::jsonb, ${o.paymentToken}, ${o.idempotencyKey}, ${o.requestFingerprint},
                   ${o.createdAt}::timestamptz, ${o.shippingAddress && JSON.stringify(o.shippingAddress)}::jsonb${c.values}
             where (select ok from unchanged)${c.gate}
            on conflict (user_id, idempotency_key) do nothing
            returning id),${c.claim}
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
                 (select ok from unchanged) as ok, ${c.usableFlag} as usable,
                 ${envelopesOf(sql`announced`)} as events`,
    );
    if (row.inserted === 1) return 'placed';
    if (!row.ok) return 'cart-changed';
    if (!row.usable) return 'coupon-refused';
    return 'key-taken';
  }
}

/**
 * Checks the address part of the input before anything is read: both ways at once, a
 * malformed id (it names no address: NOT_FOUND, as a stranger's does) or an invalid
 * inline address (BAD_USER_INPUT, as addAddress refuses it) end the checkout here.
 */
function addressChoice(input: CheckoutInput): AddressChoice {
  const id = input.shippingAddressId ?? null;
  const inline = input.shippingAddress ?? null;
  if (id !== null && inline !== null) throw badInput('Give shippingAddressId or shippingAddress, not both', 'shippingAddress');
  if (inline !== null) return { inline: copyOf(validateAddress(inline)) };
  if (id === null) return null;
  if (!isUuid(id)) throw notFound('Address');
  return { id: id.toLowerCase() };
}

/**
 * The address one checkout ships to, worked out once (the transaction path reuses what the
 * common path found or was refused): the inline one; the caller's saved one named by id,
 * asked of users as the caller (NOT_FOUND when it is not theirs); else their default from
 * orders' copy (docs/decisions.md), asked of users only when the copy has no row for them.
 */
class ShippingAddressOf {
  private address: Promise<StoredShippingAddress | null> | null = null;

  constructor(
    choice: AddressChoice,
    /** The caller's address book, from users. */
    private readonly book: () => Promise<SavedAddress[]>,
  ) {
    if (choice !== null) this.address = this.settle(this.chosen(choice));
  }

  /** `known`: what orders' copy holds for the caller's default (read with the cart, or read now). */
  resolve(known: KnownDefault | (() => Promise<KnownDefault>)): Promise<StoredShippingAddress | null> {
    this.address ??= this.settle(this.byDefault(known));
    return this.address;
  }

  /** Awaited later, perhaps not at all (the common path gave up): never an unhandled rejection. */
  private settle(address: Promise<StoredShippingAddress | null>): Promise<StoredShippingAddress | null> {
    void address.catch(() => undefined);
    return address;
  }

  private async chosen(choice: NonNullable<AddressChoice>): Promise<StoredShippingAddress | null> {
    if ('inline' in choice) return choice.inline;
    const named = (await this.book()).find((address) => address.id === choice.id);
    if (!named) throw notFound('Address');
    return copyOf(named);
  }

  private async byDefault(known: KnownDefault | (() => Promise<KnownDefault>)): Promise<StoredShippingAddress | null> {
    const copy = typeof known === 'function' ? await known() : known;
    if (copy) return copy.address;
    const preferred = (await this.book()).find((address) => address.isDefault);
    return preferred ? copyOf(preferred) : null;
  }
}

const NOTHING: Sql = sql``;

/**
 * The parts of checkout's statement that take the coupon's use, empty without a coupon
 * (so such a checkout sends the statement it always did). The cart must still hold the
 * coupon (its row locked after the lines); the coupon's row is locked after both, and
 * its limits and window are checked on that latest version; the user's uses are their
 * orders that hold it (same-user checkouts are serialized by the cart lines' locks). The
 * use is taken, and the coupon leaves the cart, only once the order row is inserted.
 */
function couponParts(o: Order, coupon: HeldCoupon | null) {
  if (!coupon || o.couponId === null) {
    return { held: NOTHING, stillHeld: NOTHING, usable: NOTHING, columns: NOTHING, values: NOTHING, gate: NOTHING, claim: NOTHING, usableFlag: sql`true` };
  }
  const perUser = coupon.maxUsesPerUser;
  return {
    held: sql`
          held as (select coupon_id from cart_coupons where user_id = ${o.userId}::uuid for update),`,
    stillHeld: sql`
               and (select coupon_id from held) = ${o.couponId}::uuid`,
    usable: sql`
          coupon as (
            select c.active, c.starts_at, c.ends_at, c.uses, c.max_uses from coupons c
             where c.id = ${o.couponId}::uuid and (select ok from unchanged) for update),
          usable as (
            select 1 from coupon c
             where c.active and (c.starts_at is null or c.starts_at <= now()) and (c.ends_at is null or now() < c.ends_at)
               and (c.max_uses is null or c.uses < c.max_uses)
               and (${perUser}::int is null or ${userUsesOf(sql`${o.userId}::uuid`, sql`${o.couponId}::uuid`)} < ${perUser}::int)),`,
    columns: sql`, discount_minor, coupon_id, coupon_code`,
    values: sql`, ${o.discountMinor}::int, ${o.couponId}::uuid, ${o.couponCode}`,
    gate: sql` and exists (select 1 from usable)`,
    claim: sql`
          claimed as (update coupons c set uses = c.uses + 1 from placed where c.id = ${o.couponId}::uuid),
          unheld as (delete from cart_coupons where user_id = ${o.userId}::uuid and exists (select 1 from placed)),`,
    usableFlag: sql`exists (select 1 from usable)`,
  };
}

interface CheckoutCartRow {
  product_id: string;
  quantity: number;
  added_at: string | Date;
  coupon_id: string | null;
  known_default: KnownDefault;
}

/**
 * The cart lines, the id of the coupon the cart holds and orders' copy of the caller's
 * default address, in ONE statement (coupon and address are one-time primary-key probes
 * beside the lines): checkout's first read, so neither costs a statement or a round trip.
 */
async function readCheckoutCart(em: EntityManager, userId: string): Promise<{ lines: CartItem[]; couponId: string | null; knownDefault: KnownDefault }> {
  const rows = await executePrepared<CheckoutCartRow>(
    em,
    sql`select product_id, quantity, added_at, (select coupon_id from cart_coupons where user_id = ${userId}::uuid) as coupon_id,
               ${knownDefaultColumn(sql`${userId}::uuid`)} as known_default
          from cart_items where user_id = ${userId}::uuid order by added_at asc, product_id asc`,
  );
  const lines = rows.map((row) =>
    Object.assign(new CartItem(), { userId, productId: row.product_id, quantity: row.quantity, addedAt: new Date(row.added_at) }),
  );
  return { lines, couponId: rows[0]?.coupon_id ?? null, knownDefault: rows[0]?.known_default ?? null };
}
