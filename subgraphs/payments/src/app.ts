import { createLogger, createSubgraphService, openDatabase, type SubgraphService } from '@storegraph/common';
import { createContextFactory, type PaymentsContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { buildSchema } from './schema';
import type { PaymentsConfig } from './config';
import { PaymentService } from './services/payment.service';

export { buildSchema } from './schema';
export { readConfig, type PaymentsConfig } from './config';

export type PaymentsApp = SubgraphService;

export async function createApp(config: PaymentsConfig): Promise<PaymentsApp> {
  const logger = createLogger('payments');
  const schema = await buildSchema();
  const database = await openDatabase({ url: config.databaseUrl, entities, migrations });
  try {
    return await createSubgraphService<PaymentsContext>({
      name: 'payments',
      config,
      schema,
      database,
      logger,
      extendContext: createContextFactory({ payment: new PaymentService() }),
    });
  } catch (err) {
    await database.close();
    throw err;
  }
}
