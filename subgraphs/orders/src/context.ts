import type DataLoader from 'dataloader';
import type { RateLimits, RequestContext } from '@storegraph/common';
import type { OrdersRateRules } from './config';
import type { Order, OrderItem } from './entities';
import { createOrderItemsLoader } from './loaders/order-items.loader';
import { createOrderLoader } from './loaders/order.loader';
import { createProductLoader } from './loaders/product.loader';
import type { CartCouponService } from './services/cart-coupon.service';
import type { CartService } from './services/cart.service';
import type { CheckoutService } from './services/checkout.service';
import type { FulfilmentService } from './services/fulfilment.service';
import type { CouponService } from './services/coupon.service';
import type { OrderStatusFeed } from './services/order-status-feed.service';
import type { OrderService } from './services/order.service';
import type { CatalogProduct, ProductCatalog } from './services/product-catalog';

export interface OrdersLoaders {
  /** Current catalog prices; null for a product the catalog does not know. */
  product: DataLoader<string, CatalogProduct | null>;
  order: DataLoader<string, Order | null>;
  orderItems: DataLoader<string, OrderItem[]>;
}

/** Built once per app; stateless, so shared by all requests. */
export interface OrdersServices {
  /** The store currency (STORE_CURRENCY): every amount orders shows is in it. */
  currency: string;
  cart: CartService;
  cartCoupons: CartCouponService;
  coupons: CouponService;
  checkout: CheckoutService;
  order: OrderService;
  fulfilment: FulfilmentService;
  statusFeed: OrderStatusFeed;
  /** Counted by the resolvers before the work, per signed-in user. */
  limits: RateLimits<keyof OrdersRateRules>;
}

export interface OrdersContext extends RequestContext {
  loaders: OrdersLoaders;
  services: OrdersServices;
}

export function createContextFactory(services: OrdersServices, catalog: ProductCatalog) {
  return (base: RequestContext): OrdersContext => ({
    ...base,
    services,
    loaders: {
      product: createProductLoader(catalog),
      order: createOrderLoader(base.em),
      orderItems: createOrderItemsLoader(base.em),
    },
  });
}
