import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, type GraphQLSchema } from 'graphql';
import { parse as parseYaml } from 'yaml';

/** One subgraph as `supergraph.yaml` lists it. */
export interface SubgraphEntry {
  name: string;
  routingUrl: string;
  /** Absolute path of the committed SDL. */
  schemaFile: string;
}

export interface SupergraphConfig {
  /** The @apollo/composition version rover would compose with (`=2.14.4` pins it). */
  federationVersion: string;
  subgraphs: SubgraphEntry[];
}

export interface Composition {
  /** null when composition failed. */
  supergraphSdl: string | null;
  /** Problems, each a printable line; empty on success. */
  errors: string[];
  /** The public API schema the gateway serves (no join__/link__ machinery, no @inaccessible). */
  apiSchema: GraphQLSchema | null;
}

export const SUPERGRAPH_YAML = 'supergraph.yaml';
export const SUPERGRAPH_FILE = 'supergraph.graphql';

interface RawConfig {
  federation_version?: unknown;
  subgraphs?: Record<string, { routing_url?: unknown; schema?: { file?: unknown } }>;
}

/** Reads `supergraph.yaml`; throws naming what is malformed. */
export function readSupergraphConfig(rootDir: string): SupergraphConfig {
  const raw = parseYaml(readFileSync(join(rootDir, SUPERGRAPH_YAML), 'utf8')) as RawConfig;
  if (typeof raw.federation_version !== 'string') throw new Error(`${SUPERGRAPH_YAML}: federation_version must be set, e.g. =2.14.4`);
  const subgraphs = Object.entries(raw.subgraphs ?? {}).map(([name, entry]): SubgraphEntry => {
    const routingUrl = entry.routing_url;
    const file = entry.schema?.file;
    if (typeof routingUrl !== 'string' || typeof file !== 'string') {
      throw new Error(`${SUPERGRAPH_YAML}: subgraph ${name} needs routing_url and schema.file`);
    }
    return { name, routingUrl, schemaFile: resolve(rootDir, file) };
  });
  if (subgraphs.length === 0) throw new Error(`${SUPERGRAPH_YAML}: no subgraphs listed`);
  return { federationVersion: raw.federation_version, subgraphs };
}

/** The installed @apollo/composition must be the pinned one, or the committed file would drift. */
function versionProblem(pinned: string): string | null {
  const installed = (require('@apollo/composition/package.json') as { version: string }).version;
  const exact = pinned.startsWith('=') ? pinned.slice(1) : null;
  if (exact === null) return `${SUPERGRAPH_YAML}: pin federation_version exactly (=${installed}) so every machine composes alike`;
  return exact === installed ? null : `${SUPERGRAPH_YAML} pins composition ${exact} but ${installed} is installed`;
}

/** Composes the committed subgraph SDLs listed in `supergraph.yaml`, as rover would. */
export function composeFromConfig(rootDir: string): Composition {
  const config = readSupergraphConfig(rootDir);
  const failed = (errors: string[]): Composition => ({ supergraphSdl: null, errors, apiSchema: null });
  const version = versionProblem(config.federationVersion);
  if (version) return failed([version]);
  const services = [];
  const unreadable: string[] = [];
  for (const subgraph of config.subgraphs) {
    try {
      services.push({ name: subgraph.name, url: subgraph.routingUrl, typeDefs: parse(readFileSync(subgraph.schemaFile, 'utf8')) });
    } catch (err) {
      unreadable.push(`${subgraph.name}: cannot read ${subgraph.schemaFile} (run \`npm run print-schemas\`): ${String(err)}`);
    }
  }
  if (unreadable.length > 0) return failed(unreadable);
  const result = composeServices(services);
  if (result.errors) return failed(result.errors.map((error) => error.message));
  return {
    supergraphSdl: `${result.supergraphSdl.trim()}\n`,
    errors: [],
    apiSchema: result.schema.toAPISchema().toGraphQLJSSchema(),
  };
}
