import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { readyUrl } from '../../src/readiness';
import { subgraphRoutes } from '../../src/supergraph-file';

describe('subgraphRoutes', () => {
  it('lists every subgraph of a composed supergraph with its routing URL', () => {
    const typeDefs = (field: string) =>
      parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"]) type Query { ${field}: Int }`);
    const result = composeServices([
      { name: 'users', url: 'http://localhost:4001/graphql', typeDefs: typeDefs('a') },
      { name: 'catalog', url: 'http://catalog:4002/graphql', typeDefs: typeDefs('b') },
    ]);
    if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
    expect(subgraphRoutes(result.supergraphSdl)).toEqual([
      { name: 'catalog', url: 'http://catalog:4002/graphql' },
      { name: 'users', url: 'http://localhost:4001/graphql' },
    ]);
  });
});

describe('readyUrl', () => {
  it('replaces the GraphQL path with /ready on the same origin', () => {
    expect(readyUrl('http://orders:4003/graphql')).toBe('http://orders:4003/ready');
  });
});
