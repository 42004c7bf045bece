import { randomBytes } from 'node:crypto';
import { Entity, PrimaryKey } from '@mikro-orm/core';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { createLogger, createSubgraphService, FEDERATION_LINK, openDatabase, type SubgraphService } from '../../src';
import { testSubgraphConfig } from '../../src/testing';

@Entity({ tableName: 'access_probe' })
class AccessProbe {
  @PrimaryKey({ type: 'uuid' })
  id!: string;
}

const typeDefs = parse(`
  extend schema @link(url: "${FEDERATION_LINK}", import: ["@key"])
  type Query { greet(secret: String): String }
  type Mutation { refuse: String }
`);

/**
 * One access line per GraphQL request, with the request id the caller sent (answered
 * back), the operation, its outcome and duration, and nothing of its variables or
 * headers; lines written while serving it carry the same request id.
 */
describe('access lines', () => {
  let service: SubgraphService;
  let url: string;

  beforeAll(async () => {
    const config = testSubgraphConfig('common_access', { APP_MODE: 'development', GATEWAY_SECRET: randomBytes(32).toString('hex') });
    const database = await openDatabase({ url: config.databaseUrl, entities: [AccessProbe], migrations: [] });
    const logger = createLogger('probe', 'info');
    service = await createSubgraphService({
      name: 'access-probe',
      config,
      schema: buildSubgraphSchema([
        {
          typeDefs,
          resolvers: {
            Query: {
              greet: () => {
                logger.info('greeting');
                return 'hello';
              },
            },
            Mutation: {
              refuse: () => {
                throw new GraphQLError('no', { extensions: { code: 'FORBIDDEN' } });
              },
            },
          },
        },
      ]),
      database,
      logger,
      extendContext: (base) => base,
    });
    url = await service.listen(0);
  });

  afterAll(() => service?.stop());

  async function logged(run: () => Promise<void>): Promise<Array<Record<string, unknown>>> {
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      const text = String(chunk);
      if (text.includes('"service":"probe"')) written.push(text);
      else write(chunk);
      return true;
    });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('writes one line per request, tied to its lines by request_id, without variables or tokens', async () => {
    let response: Response | undefined;
    const lines = await logged(async () => {
      response = await post(
        { query: 'query Hello($s: String) { greet(secret: $s) }', variables: { s: 'the-secret-value' } },
        { 'x-request-id': 'req-42', authorization: 'Bearer the-token-value' },
      );
      await response.text();
    });
    expect(response!.headers.get('x-request-id')).toBe('req-42');
    expect(lines.map((l) => l.msg)).toEqual(['greeting', 'request']);
    expect(lines[0].request_id).toBe('req-42');
    expect(lines[1]).toEqual({
      level: 'info',
      time: expect.any(String),
      service: 'probe',
      request_id: 'req-42',
      msg: 'request',
      operation: 'greet',
      type: 'query',
      outcome: 'ok',
      status: 200,
      duration_ms: expect.any(Number),
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('the-secret-value');
    expect(text).not.toContain('the-token-value');
  });

  it('reports the error code as the outcome, and a new request id when none was sent', async () => {
    let response: Response | undefined;
    const lines = await logged(async () => {
      response = await post({ query: 'mutation { refuse }' });
      await response.text();
    });
    const access = lines.find((l) => l.msg === 'request')!;
    expect(access).toMatchObject({ operation: 'refuse', type: 'mutation', outcome: 'forbidden' });
    expect(access.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response!.headers.get('x-request-id')).toBe(access.request_id);
  });

  it('says invalid for an operation that does not parse', async () => {
    const lines = await logged(async () => {
      await (await post({ query: '{ greet(' })).text();
    });
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ operation: 'invalid', outcome: 'graphql_parse_failed', status: 400 });
  });
});
