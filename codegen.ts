/**
 * Generates the typed client SDK (`packages/sdk/src/generated/`, committed) from the public
 * API schema and the SDK's operation documents (`packages/sdk/src/operations/*.graphql`).
 * Run `npm run codegen`; `test/unit/sdk-generated.test.ts` fails when the committed output
 * differs from a fresh generation.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';

const ROOT = __dirname;

/** Where the generated files go, relative to the repository root. */
export const SDK_GENERATED_DIR = 'packages/sdk/src/generated/';
export const SDK_OPERATIONS = 'packages/sdk/src/operations/*.graphql';
/**
 * Set by the staleness test to generate into a temporary directory instead. The test runs
 * the CLI in a child process: the codegen plugins require ESM-only packages, which Node
 * loads but jest's module system does not.
 */
export const OUTPUT_DIR_VARIABLE = 'STOREGRAPH_SDK_CODEGEN_OUTPUT';

/**
 * The API schema the gateway serves (no join__/link__ machinery, no @inaccessible), computed
 * from the committed supergraph.graphql: codegen needs no running server and sees exactly
 * what `npm run compose` produced.
 */
export function apiSchemaSdl(supergraphPath = join(ROOT, 'supergraph.graphql')): string {
  const supergraph = Supergraph.build(readFileSync(supergraphPath, 'utf8'));
  return printSchema(supergraph.apiSchema().toGraphQLJSSchema());
}

/**
 * Plain hex sha256 of the document text: the key of persisted-documents.json is then exactly
 * Apollo APQ's `extensions.persistedQuery.sha256Hash` (the preset's default adds a "sha256:" prefix).
 */
export function documentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function outputDir(): string {
  const override = process.env[OUTPUT_DIR_VARIABLE];
  // The client preset insists on a trailing slash: its output is a directory.
  return override ? `${override.replace(/\/$/, '')}/` : join(ROOT, SDK_GENERATED_DIR);
}

/** The codegen configuration: the client preset over the API schema and the SDK's operations. */
export function codegenConfig(): CodegenConfig {
  return {
    overwrite: true,
    // Raw SDL is a valid schema pointer, so the derived API schema needs no temporary file.
    schema: apiSchemaSdl(),
    documents: join(ROOT, SDK_OPERATIONS),
    ignoreNoDocuments: false,
    generates: {
      [outputDir()]: {
        preset: 'client',
        presetConfig: {
          // Results are plain objects typed by their fragments: no useFragment() unmasking,
          // so a React Native screen and a Node test read `order.items[0].product.name` directly.
          fragmentMasking: false,
          // src/index.ts is the package's entry; it re-exports graphql.ts (gql.ts's graphql() tag
          // is for inline documents, which this SDK does not use).
          skipIndexFile: true,
          persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: documentHash },
        },
        config: {
          scalars: { DateTime: 'string' },
          strictScalars: true,
          useTypeImports: true,
          enumType: 'string-literal',
        },
      },
    },
  };
}

const config = codegenConfig();
export default config;
