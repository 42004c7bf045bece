import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLError, GraphQLScalarType, Kind, type GraphQLSchema, parse } from 'graphql';
import { buildSchema, createResolversMap, getMetadataStorage, type NonEmptyArray, type PubSub } from 'type-graphql';

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 timestamp');
  return date;
}

/** The contract's `DateTime`: an ISO-8601 UTC string on the wire, a Date in resolvers. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'ISO-8601 UTC timestamp string',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? toDate(ast.value) : toDate(undefined)),
});

/** The Federation 2 version every subgraph links; composition pins the same (supergraph.yaml). */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.7';

export interface SubgraphSchemaOptions {
  resolvers: NonEmptyArray<Function>;
  /** Types no resolver returns directly but the subgraph must declare (entity stubs). */
  orphanedTypes?: Function[];
  /** `__resolveReference` per entity type name. */
  referenceResolvers?: GraphQLResolverMap<unknown>;
  /**
   * type-graphql refuses to build any @Subscription without a PubSub, even one that
   * brings its own `subscribe`; a subgraph with subscriptions passes it here.
   */
  pubSub?: PubSub;
}

/**
 * type-graphql builds the schema from decorated classes; Apollo's buildSubgraphSchema
 * then adds the federation machinery (_service, _entities) around the printed SDL, with
 * type-graphql's resolvers and the entity reference resolvers merged back in.
 */
export async function buildFederatedSchema(options: SubgraphSchemaOptions): Promise<GraphQLSchema> {
  // Parameter decorators run last to first, so type-graphql would list every field's
  // arguments in reverse; a stable sort by position restores declaration order.
  getMetadataStorage().params.sort((a, b) => a.index - b.index);
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    pubSub: options.pubSub,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
    skipCheck: true,
  });
  const typeDefs = parse(
    `extend schema @link(url: "${FEDERATION_LINK}", import: ["@key", "@shareable", "@external", "@requires", "@inaccessible"])\n` +
      printSchemaWithDirectives(schema),
  );
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  for (const [typeName, fields] of Object.entries(options.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...(fields as object) } as GraphQLResolverMap<unknown>[string];
  }
  return buildSubgraphSchema({ typeDefs, resolvers });
}

/** The SDL committed as `subgraphs/<name>/schema.graphql` and composed into the supergraph. */
export function printSubgraphSdl(schema: GraphQLSchema): string {
  return `${printSubgraphSchema(schema).trim()}\n`;
}
