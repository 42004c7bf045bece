import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, executePrepared, isUuid, notFound, parsePrice } from '@storegraph/common';
import type { ImageLimits } from '../config';
import { Product } from '../entities';
import { validateDescription, validateImages, validateName, validateQuantity, validateSku, type ImageInput } from './catalog.validation';
import { PRODUCT_COLUMNS } from './product.columns';

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

  async create(data: CreateProductData): Promise<Product> {
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
      return await this.em.transactional((tx) => tx.create(Product, fields));
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw conflict(`A product with SKU "${fields.sku}" already exists`);
      throw translateCategoryViolation(err);
    }
  }

  async update(id: string, data: UpdateProductData): Promise<Product> {
    const changes = validateChanges(data, this.imageLimits);
    if (!isUuid(id)) throw notFound('Product');
    try {
      return await this.em.transactional(async (tx) => {
        const product = await tx.findOne(Product, { id });
        if (!product) throw notFound('Product');
        // Only changed columns are written, so stock moved meanwhile by the saga is kept.
        tx.assign(product, changes);
        return product;
      });
    } catch (err) {
      throw translateCategoryViolation(err);
    }
  }

  /**
   * Sets units on hand in ONE conditional statement: a reservation committed meanwhile can
   * never be undercut, because the row is checked and written under the same row lock.
   */
  async setStock(id: string, quantity: number): Promise<Product> {
    validateQuantity(quantity, 'quantity');
    if (!isUuid(id)) throw notFound('Product');
    const connection = this.em.getConnection();
    const rows: Array<Record<string, unknown>> = await connection.execute(
      `update products set on_hand = ? where id = ? and reserved <= ? returning ${PRODUCT_COLUMNS}`,
      [quantity, id, quantity],
    );
    if (rows.length > 0) return this.em.map(Product, rows[0]);
    const existing: Array<{ reserved: number }> = await connection.execute('select reserved from products where id = ?', [id]);
    if (existing.length === 0) throw notFound('Product');
    throw conflict(`Stock cannot go below the ${existing[0].reserved} units reserved by open orders`);
  }
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

