import { createLogger, createSubgraphService, openDatabase, type SubgraphService } from '@storegraph/common';
import { createContextFactory, type OrdersContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { buildSchema } from './schema';
import type { OrdersConfig } from './config';
import { CartService } from './services/cart.service';
import { CheckoutService } from './services/checkout.service';
import { OrderService } from './services/order.service';
import { HttpProductCatalog, type ProductCatalog } from './services/product-catalog';

export { buildSchema } from './schema';
export { readConfig, type OrdersConfig } from './config';

export type OrdersApp = SubgraphService;

export interface OrdersDeps {
  /** Defaults to the catalog subgraph over HTTP at config.catalogUrl. */
  catalog?: ProductCatalog;
}

export async function createApp(config: OrdersConfig, deps: OrdersDeps = {}): Promise<OrdersApp> {
  const logger = createLogger('orders');
  const catalog = deps.catalog ?? new HttpProductCatalog(config.catalogUrl);
  const cart = new CartService(config.currency);
  const services = { cart, checkout: new CheckoutService(config.currency, cart), order: new OrderService() };
  const schema = await buildSchema();
  const database = await openDatabase({ url: config.databaseUrl, entities, migrations });
  try {
    return await createSubgraphService<OrdersContext>({
      name: 'orders',
      config,
      schema,
      database,
      logger,
      extendContext: createContextFactory(services, catalog),
    });
  } catch (err) {
    await database.close();
    throw err;
  }
}
