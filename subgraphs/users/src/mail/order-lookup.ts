import { callEntities, IDENTITY_HEADER, JsonHttpClient, signIdentity, type Caller } from '@storegraph/common';
import type { OrderEmailConfig } from '../config';

interface MoneyShape {
  amount: string;
  currency: string;
}

/** What a receipt shows of an order, gathered from orders, catalog and payments. */
export interface OrderFacts {
  id: string;
  userId: string;
  status: string;
  total: MoneyShape;
  items: Array<{ productId: string; productName: string | null; quantity: number; unitPrice: MoneyShape }>;
  /** The order's payment as payments has it now; null before any attempt. */
  payment: { status: string; amount: MoneyShape } | null;
}

/** The order facts the sender needs; a port so a test can stand one in. */
export interface OrderLookup {
  /** By order id; an order orders does not know is absent from the map. Rejects when a subgraph cannot be asked. */
  orders(ids: string[], withPayment: ReadonlySet<string>): Promise<Map<string, OrderFacts>>;
  close(): void;
}

const ORDERS_QUERY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order {
  id status total { amount currency } user { id } items { quantity unitPrice { amount currency } product { id } } } } }`;
const PRODUCTS_QUERY = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id name } } }';
const PAYMENTS_QUERY = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment { status amount { amount currency } } } } }';

interface OrderEntity {
  id: string;
  status: string;
  total: MoneyShape;
  user: { id: string };
  items: Array<{ quantity: number; unitPrice: MoneyShape; product: { id: string } }>;
}

/** The caller the sender signs as: no person, the store itself (see docs/decisions.md, "Order emails"). */
const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Asks the graph, the way orders asks catalog for prices: one batched `_entities` call to
 * orders for the orders of a whole batch of emails, one to catalog for all their
 * products' names, one to payments for the orders whose email mentions a refund. The
 * orders and payments are private (owner or ADMIN), so the calls carry an identity
 * assertion for the store as ADMIN, signed with the secret the subgraphs share; they only
 * read. The events stay as they are.
 */
export class HttpOrderLookup implements OrderLookup {
  constructor(
    private readonly config: OrderEmailConfig,
    private readonly gatewaySecret: string,
    private readonly http = new JsonHttpClient(),
  ) {}

  close(): void {
    this.http.close();
  }

  async orders(ids: string[], withPayment: ReadonlySet<string>): Promise<Map<string, OrderFacts>> {
    const found = new Map<string, OrderFacts>();
    if (ids.length === 0) return found;
    const headers = { [IDENTITY_HEADER]: signIdentity(this.gatewaySecret, { caller: this.systemCaller(), clientIp: null }) };
    const call = <T>(service: string, url: string, query: string, representations: Array<Record<string, unknown>>) =>
      callEntities<T>(this.http, { url, query, representations, headers, timeoutMs: this.config.lookupTimeoutMs, service });

    const orders = (
      await call<OrderEntity>('Orders', this.config.ordersUrl, ORDERS_QUERY, ids.map((id) => ({ __typename: 'Order', id })))
    ).filter((o): o is OrderEntity => o !== null);
    const productIds = [...new Set(orders.flatMap((o) => o.items.map((i) => i.product.id)))];
    const paymentOrderIds = orders.map((o) => o.id).filter((id) => withPayment.has(id));
    const [products, payments] = await Promise.all([
      productIds.length === 0
        ? []
        : call<{ id: string; name: string }>('Catalog', this.config.catalogUrl, PRODUCTS_QUERY, productIds.map((id) => ({ __typename: 'Product', id }))),
      paymentOrderIds.length === 0
        ? []
        : call<{ id: string; payment: OrderFacts['payment'] }>(
            'Payments',
            this.config.paymentsUrl,
            PAYMENTS_QUERY,
            paymentOrderIds.map((id) => ({ __typename: 'Order', id })),
          ),
    ]);
    const names = new Map(products.flatMap((p) => (p ? [[p.id, p.name] as const] : [])));
    const paymentOf = new Map(payments.flatMap((p) => (p ? [[p.id, p.payment] as const] : [])));
    for (const order of orders) {
      found.set(order.id, {
        id: order.id,
        userId: order.user.id,
        status: order.status,
        total: order.total,
        items: order.items.map((i) => ({
          productId: i.product.id,
          productName: names.get(i.product.id) ?? null,
          quantity: i.quantity,
          unitPrice: i.unitPrice,
        })),
        payment: paymentOf.get(order.id) ?? null,
      });
    }
    return found;
  }

  private systemCaller(): Caller {
    const now = Math.floor(Date.now() / 1000);
    return { userId: SYSTEM_USER_ID, role: 'ADMIN', tokenId: 'order-emails', tokenExpiresAt: now + 60, familyId: 'order-emails' };
  }
}
