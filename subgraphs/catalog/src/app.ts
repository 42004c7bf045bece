import { createLogger, createSubgraphService, openDatabase, type SubgraphService } from '@storegraph/common';
import type { CatalogConfig } from './config';
import { createContext, type CatalogContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { buildSchema } from './schema';

export { buildSchema } from './schema';
export { readConfig, type CatalogConfig } from './config';

export type CatalogApp = SubgraphService;

/** Builds the catalog service (database migrated, schema ready); never listens by itself. */
export async function createApp(config: CatalogConfig): Promise<CatalogApp> {
  const logger = createLogger('catalog');
  const schema = await buildSchema();
  const database = await openDatabase({ url: config.databaseUrl, entities, migrations });
  try {
    return await createSubgraphService<CatalogContext>({
      name: 'catalog',
      config,
      schema,
      database,
      logger,
      extendContext: (base) => createContext(base, config),
    });
  } catch (err) {
    await database.close();
    throw err;
  }
}
