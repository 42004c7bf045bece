import { readFileSync } from 'node:fs';
import { Kind, parse, type ConstArgumentNode } from 'graphql';

/** A subgraph as the supergraph names and routes it. */
export interface SubgraphRoute {
  name: string;
  url: string;
}

/** Reads the committed supergraph, failing with a hint when it was never composed. */
export function readSupergraph(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the supergraph at ${path} (run \`npm run compose\`): ${String(err)}`);
  }
}

function stringArgument(args: readonly ConstArgumentNode[] | undefined, name: string): string | undefined {
  const value = args?.find((arg) => arg.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

/** The subgraphs listed by the supergraph's `join__Graph` enum (`@join__graph(name, url)`). */
export function subgraphRoutes(supergraphSdl: string): SubgraphRoute[] {
  const routes: SubgraphRoute[] = [];
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((directive) => directive.name.value === 'join__graph');
      const name = stringArgument(graph?.arguments, 'name');
      const url = stringArgument(graph?.arguments, 'url');
      if (name !== undefined && url !== undefined) routes.push({ name, url });
    }
  }
  return routes;
}
