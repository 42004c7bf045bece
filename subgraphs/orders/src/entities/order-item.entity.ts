import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Stored lines of an order; the GraphQL OrderItem is built from them with the order's currency. */
@Entity({ tableName: 'order_items' })
export class OrderItem {
  // A plain column rather than a relation: items are loaded per page through a DataLoader.
  @PrimaryKey({ type: 'uuid', fieldName: 'order_id' })
  orderId!: string;

  @PrimaryKey({ type: 'integer', fieldName: 'position' })
  position!: number;

  @Property({ type: 'uuid', fieldName: 'product_id' })
  productId!: string;

  @Property({ type: 'integer', fieldName: 'quantity' })
  quantity!: number;

  /** The catalog's price at checkout, in minor units of the order's currency. */
  @Property({ type: 'integer', fieldName: 'unit_price_minor' })
  unitPriceMinor!: number;
}
