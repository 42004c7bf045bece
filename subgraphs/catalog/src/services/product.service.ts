import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, executePrepared, formatAmount, isUuid, notFound, parsePrice, recordAudit, sql } from '@storegraph/common';
import type { ImageLimits } from '../config';
import { Product } from '../entities';
import { validateDescription, validateImages, validateName, validateQuantity, validateReason, validateSku, validateStockDelta, MAX_UNITS, type ImageInput } from './catalog.validation';
import { PRODUCT_COLUMNS } from './product.columns';
import { recordMovements } from './stock.ledger';

export interface CreateProductData {
  sku: string;
  name: string;
  description?: string | null;
  price: string;
  categoryId?: string | null;
  stock: number;
  images?: readonly ImageInput[] | null;
}

/** Absent (undefined) fields stay as they are; `categoryId: null` removes the category. */
export interface UpdateProductData {
  name?: string | null;
  description?: string | null;
  price?: string | null;
  categoryId?: string | null;
  /** A given list replaces every image; null or absent keeps them. */
  images?: readonly ImageInput[] | null;
}

type ProductChanges = Partial<Pick<Product, 'name' | 'description' | 'priceMinor' | 'categoryId' | 'images'>>;

export class ProductService {
  constructor(
    private readonly em: EntityManager,
    private readonly imageLimits: ImageLimits,
  ) {}

  /** Null for an unknown id, and for anything that is not a UUID (it names nothing). */
  findById(id: string): Promise<Product | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.em.findOne(Product, { id });
  }

  /** Keyed loads for the DataLoader: one query, results in the order of `ids`. */
  async findByIds(ids: readonly string[]): Promise<Array<Product | null>> {
    const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    // Plain SQL mapped by the ORM, as the listing does: every price lookup of orders and
    // every Product reference the gateway resolves comes here, and the ORM's find costs
    // more than the statement.
    // A prepared statement: PostgreSQL plans it once per connection, not once per lookup.
    const rows =
      wanted.length > 0
        ? await executePrepared<Record<string, unknown>>(this.em, {
            text: `select ${PRODUCT_COLUMNS} from products where id = any(?::uuid[])`,
            params: [`{${wanted.join(',')}}`],
          })
        : [];
    const found = rows.map((row) => this.em.map(Product, row));
    const byId = new Map(found.map((product) => [product.id, product]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  }

  /** `actorId`: the ADMIN, for the audit entry every admin change records in its transaction. */
  async create(data: CreateProductData, actorId: string): Promise<Product> {
    const fields = {
      sku: validateSku(data.sku),
      name: validateName(data.name),
      description: validateDescription(data.description ?? ''),
      priceMinor: parsePrice(data.price),
      categoryId: categoryRef(data.categoryId ?? null),
      onHand: validateQuantity(data.stock, 'stock'),
      images: validateImages(data.images ?? [], this.imageLimits),
    };
    try {
      return await this.em.transactional(async (tx) => {
        const product = tx.create(Product, fields);
        await tx.flush();
        // The initial stock is the history's first movement, so movements always sum to on_hand.
        const seeded = recordMovements(sql`(select ${product.id}::uuid as product_id, ${fields.onHand}::int as delta, ${fields.onHand}::int as on_hand)`, {
          reason: 'RESTOCK',
          orderId: null,
        });
        await tx.execute(seeded.text, [...seeded.params]);
        await recordAudit(tx, 'catalog', {
          actorId,
          action: 'product.created',
          targetType: 'Product',
          targetId: product.id,
          before: null,
          after: { ...audited(product), onHand: fields.onHand },
        });
        return product;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw conflict(`A product with SKU "${fields.sku}" already exists`);
      throw translateCategoryViolation(err);
    }
  }

  async update(id: string, data: UpdateProductData, actorId: string): Promise<Product> {
    const changes = validateChanges(data, this.imageLimits);
    if (!isUuid(id)) throw notFound('Product');
    try {
      return await this.em.transactional(async (tx) => {
        const product = await tx.findOne(Product, { id });
        if (!product) throw notFound('Product');
        const before = audited(product);
        // Only changed columns are written, so stock moved meanwhile by the saga is kept.
        tx.assign(product, changes);
        const after = audited(product);
        if (JSON.stringify(before) !== JSON.stringify(after)) {
          await recordAudit(tx, 'catalog', { actorId, action: 'product.updated', targetType: 'Product', targetId: product.id, before, after });
        }
        return product;
      });
    } catch (err) {
      throw translateCategoryViolation(err);
    }
  }

  /**
   * Archives a product: it leaves the listing and wishlists, carts refuse it, and past orders
   * and carts still resolve it. Idempotent: archiving an archived product returns it as it
   * is, since the state asked for already holds (the contract names no CONFLICT for it and
   * an admin's retry should not fail).
   */
  async archive(id: string, actorId: string): Promise<Product> {
    if (!isUuid(id)) throw notFound('Product');
    return this.em.transactional(async (tx) => {
      // The row lock of the update orders concurrent archives: only the one that changed it records it.
      const rows = await tx.execute<Array<Record<string, unknown> & { was_archived: boolean }>>(
        `with old as (select id, archived as was_archived from products where id = ? for update)
         update products p set archived = true from old where p.id = old.id returning ${PRODUCT_COLUMNS
           .split(',')
           .map((column) => `p.${column.trim()}`)
           .join(', ')}, old.was_archived`,
        [id],
      );
      if (rows.length === 0) throw notFound('Product');
      const { was_archived: wasArchived, ...row } = rows[0];
      if (!wasArchived) {
        await recordAudit(tx, 'catalog', {
          actorId,
          action: 'product.archived',
          targetType: 'Product',
          targetId: id.toLowerCase(),
          before: { archived: false },
          after: { archived: true },
        });
      }
      return tx.map(Product, row);
    });
  }

  /**
   * Sets units on hand, never below units reserved. The difference is recorded: RESTOCK
   * when units come in, CORRECTION when they go (a count found fewer on the shelf than
   * the books said); setting the same number records nothing.
   */
  async setStock(id: string, quantity: number, actorId: string): Promise<Product> {
    validateQuantity(quantity, 'quantity');
    if (!isUuid(id)) throw notFound('Product');
    return this.changeStock(id, 'quantity', { actorId, action: 'stock.set' }, (onHand) => ({
      onHand: quantity,
      reason: quantity > onHand ? 'RESTOCK' : 'CORRECTION',
    }));
  }

  /** Adds delta (may be negative) to units on hand, never below units reserved; recorded with the admin's reason. */
  async adjustStock(id: string, delta: number, reason: string, actorId: string): Promise<Product> {
    validateStockDelta(delta);
    const text = validateReason(reason);
    if (!isUuid(id)) throw notFound('Product');
    return this.changeStock(id, 'delta', { actorId, action: 'stock.adjusted' }, (onHand) => ({ onHand: onHand + delta, reason: text }));
  }

  /**
   * The one path of an admin's stock change: the row is locked (so a reservation committed
   * meanwhile can never be undercut), the new count checked against units reserved, then
   * written together with its movement in one statement, in one transaction.
   */
  private async changeStock(
    id: string,
    field: 'quantity' | 'delta',
    audit: { actorId: string; action: 'stock.set' | 'stock.adjusted' },
    decide: (onHand: number) => { onHand: number; reason: string },
  ): Promise<Product> {
    return this.em.transactional(async (tx) => {
      const [current] = await tx.execute<Array<{ on_hand: number; reserved: number }>>(
        'select on_hand, reserved from products where id = ? for update',
        [id],
      );
      if (!current) throw notFound('Product');
      const { onHand, reason } = decide(current.on_hand);
      if (onHand < current.reserved) {
        throw conflict(`Stock cannot go below the ${current.reserved} units reserved by open orders`);
      }
      if (onHand > MAX_UNITS) throw badInput(`units on hand must be at most ${MAX_UNITS}`, field);
      const recorded = recordMovements(sql`moved`, { reason, orderId: null });
      const rows = await tx.execute<Array<Record<string, unknown>>>(
        `with changed as (update products set on_hand = ? where id = ? returning ${PRODUCT_COLUMNS}),
         moved as (select id as product_id, ?::int as delta, on_hand from changed),
         recorded as (${recorded.text})
         select * from changed`,
        [onHand, id, onHand - current.on_hand, ...recorded.params],
      );
      // Setting the count it already has changes nothing: no movement, no entry.
      if (onHand !== current.on_hand) {
        await recordAudit(tx, 'catalog', {
          ...audit,
          targetType: 'Product',
          targetId: id.toLowerCase(),
          before: { onHand: current.on_hand },
          after: { onHand },
          context: { reason },
        });
      }
      return tx.map(Product, rows[0]);
    });
  }
}

/** A product's fields as its audit entries show them (price as the decimal the API shows). */
function audited(product: Product): Record<string, unknown> {
  return {
    sku: product.sku,
    name: product.name,
    description: product.description,
    price: formatAmount(product.priceMinor),
    categoryId: product.categoryId,
    images: product.images,
  };
}

function categoryRef(categoryId: string | null): string | null {
  if (categoryId === null) return null;
  if (!isUuid(categoryId)) throw notFound('Category');
  return categoryId;
}

function validateChanges(data: UpdateProductData, imageLimits: ImageLimits): ProductChanges {
  const changes: ProductChanges = {};
  // null for a required column means "not given": only categoryId can be cleared.
  if (data.name != null) changes.name = validateName(data.name);
  if (data.description != null) changes.description = validateDescription(data.description);
  if (data.price != null) changes.priceMinor = parsePrice(data.price);
  if (data.categoryId !== undefined) changes.categoryId = categoryRef(data.categoryId);
  if (data.images != null) changes.images = validateImages(data.images, imageLimits);
  return changes;
}

/** The foreign key decides whether a category exists, so no check-then-write race. */
function translateCategoryViolation(err: unknown): unknown {
  return err instanceof ForeignKeyConstraintViolationException ? notFound('Category') : err;
}

