import { randomBytes } from 'node:crypto';
import { Entity, PrimaryKey } from '@mikro-orm/core';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createLogger, createSubgraphService, FEDERATION_LINK, openDatabase, type SubgraphService } from '../../src';
import { postGraphQL, testSubgraphConfig } from '../../src/testing';

@Entity({ tableName: 'service_probe' })
class ServiceProbe {
  @PrimaryKey({ type: 'uuid' })
  id!: string;
}

const typeDefs = parse(`
  extend schema @link(url: "${FEDERATION_LINK}", import: ["@key"])
  input GreetInput { email: String }
  type Query { greet(input: GreetInput): String }
`);

async function startService(mode: 'development' | 'production'): Promise<{ url: string; service: SubgraphService }> {
  const config = testSubgraphConfig('common_service', { APP_MODE: mode, GATEWAY_SECRET: randomBytes(32).toString('hex') });
  const database = await openDatabase({ url: config.databaseUrl, entities: [ServiceProbe], migrations: [] });
  const service = await createSubgraphService({
    name: 'probe',
    config,
    schema: buildSubgraphSchema([{ typeDefs, resolvers: { Query: { greet: () => 'hello' } } }]),
    database,
    logger: createLogger('probe', 'error'),
    extendContext: (base) => base,
  });
  return { url: await service.listen(0), service };
}

/** A misspelt field and argument (validation) and a misspelt input field in a variable (coercion). */
async function typoMessages(url: string): Promise<string[]> {
  const validation = await postGraphQL(url, '{ gret greet(inptu: {}) }');
  const coercion = await postGraphQL(url, 'query($i: GreetInput) { greet(input: $i) }', { i: { emial: 'a@b.c' } });
  return [...(validation.errors ?? []), ...(coercion.errors ?? [])].map((e) => e.message);
}

describe('subgraph errors and schema details', () => {
  it('suggest names from the schema in development', async () => {
    const { url, service } = await startService('development');
    try {
      const messages = await typoMessages(url);
      expect(messages).toHaveLength(3);
      expect(messages.every((message) => message.includes('Did you mean'))).toBe(true);
    } finally {
      await service.stop();
    }
  });

  it('suggest nothing in production, for validation and for variables alike', async () => {
    const { url, service } = await startService('production');
    try {
      expect(await typoMessages(url)).toEqual([
        'Cannot query field "gret" on type "Query".',
        'Unknown argument "inptu" on field "Query.greet".',
        'Variable "$i" got invalid value { emial: "a@b.c" }; Field "emial" is not defined by type "GreetInput".',
      ]);
    } finally {
      await service.stop();
    }
  });
});
