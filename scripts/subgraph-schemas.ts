import type { GraphQLSchema } from 'graphql';
import { printSubgraphSdl } from '@storegraph/common';

/** What every subgraph package exports for printing: its schema, built without a database. */
interface SubgraphModule {
  buildSchema(): Promise<GraphQLSchema>;
}

/**
 * The fresh SDL of one subgraph, as committed in `subgraphs/<name>/schema.graphql`.
 * Loaded by name so the list stays in supergraph.yaml (the package is `@storegraph/<name>`).
 * All four load into one process: type-graphql keeps one global metadata store, and
 * each subgraph's buildSchema only takes the resolvers and types it names, so same-named
 * classes in two subgraphs (a `User` stub in orders) do not meet.
 */
export async function printFreshSchema(name: string): Promise<string> {
  const subgraph = require(`@storegraph/${name}`) as SubgraphModule;
  return printSubgraphSdl(await subgraph.buildSchema());
}
