import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@apollo/composition';
import { GraphQLError, parse } from 'graphql';
import { close, createHttpApp, FEDERATION_LINK, IDENTITY_HEADER, listen, type RequestIdentity, verifyIdentity } from '@storegraph/common';

/** A real subgraph that reports what the gateway vouched for, so tests see the far side. */
const typeDefs = parse(`
  extend schema @link(url: "${FEDERATION_LINK}", import: ["@key"])

  type Query {
    whoami: Echo!
    "The same echo \`first\` times: a list whose size the client picks, for the cost limit."
    echoes(first: Int = 3): [Echo!]!
    "Throws an error shaped like the contract's (code given) or like a bug (no code)."
    fail(code: String): Boolean
  }

  type Echo {
    verified: Boolean!
    userId: String
    role: String
    tokenId: String
    familyId: String
    tokenExpiresAt: Int
    clientIp: String
    "Names of every x-storegraph-* header that reached the subgraph."
    internalHeaders: [String!]!
  }
`);

interface EchoContext {
  identity: RequestIdentity | null;
  internalHeaders: string[];
}

const echo = (ctx: EchoContext) => ({
  verified: ctx.identity !== null,
  ...ctx.identity?.caller,
  clientIp: ctx.identity?.clientIp ?? null,
  internalHeaders: ctx.internalHeaders,
});

const resolvers = {
  Query: {
    whoami: (_root: unknown, _args: unknown, ctx: EchoContext) => echo(ctx),
    echoes: (_root: unknown, args: { first: number }, ctx: EchoContext) =>
      Array.from({ length: Math.min(args.first, 100) }, () => echo(ctx)),
    fail: (_root: unknown, args: { code?: string }) => {
      if (args.code) throw new GraphQLError(`refused with ${args.code}`, { extensions: { code: args.code, retryAfterSeconds: 7 } });
      throw new Error('connect ECONNREFUSED db.internal.example:5432');
    },
  },
};

export interface EchoSubgraph {
  url: string;
  stop(): Promise<void>;
}

export async function startEchoSubgraph(gatewaySecret: string): Promise<EchoSubgraph> {
  const apollo = new ApolloServer<EchoContext>({
    schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const server = createHttpApp<EchoContext>({
    apollo,
    ready: async () => undefined,
    context: async (req) => {
      const header = req.headers[IDENTITY_HEADER];
      return {
        identity: verifyIdentity(gatewaySecret, Array.isArray(header) ? header[0] : header),
        internalHeaders: Object.keys(req.headers).filter((name) => name.startsWith('x-storegraph-')),
      };
    },
  });
  // Bound to IPv4 only, so name it by address: "localhost" may resolve to ::1 first.
  const url = (await listen(server, 0, '127.0.0.1')).replace('localhost', '127.0.0.1');
  return {
    url,
    stop: async () => {
      await close(server);
      await apollo.stop();
    },
  };
}

/** Composes the one-subgraph supergraph, as `npm run compose` would for the real four. */
export function composeEchoSupergraph(routingUrl: string): string {
  const result = composeServices([{ name: 'echo', url: routingUrl, typeDefs }]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}
