import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildSchema } from 'graphql';
import { contractGaps, EXCUSED_TYPES, staleExcuses } from '../../scripts/contract';
import { printFreshSchema } from '../../scripts/subgraph-schemas';
import { composeFromConfig, readSupergraphConfig, SUPERGRAPH_FILE } from '../../scripts/supergraph';
import { firstDifference, readOr } from './support/files';

/**
 * The composed artifacts are committed (SPEC 3): this suite fails when one is stale,
 * when composition breaks, or when the composed API drops anything the contract promises.
 */
const rootDir = resolve(__dirname, '../..');
const contractPath = resolve(rootDir, '../shared/contract/api.graphql');
const refresh = 'run `npm run compose` and commit the result';



describe('committed subgraph schemas', () => {
  it.each(readSupergraphConfig(rootDir).subgraphs.map((s) => [s.name, s.schemaFile] as const))(
    '%s: schema.graphql matches a fresh print',
    async (name, schemaFile) => {
      const fresh = await printFreshSchema(name);
      const committed = readOr(schemaFile, '(missing file)');
      if (committed !== fresh) {
        throw new Error(`${relative(rootDir, schemaFile)} is stale: ${refresh}\n  ${firstDifference(committed, fresh)}`);
      }
    },
  );
});

describe('supergraph', () => {
  const composition = composeFromConfig(rootDir);

  it('composes without errors', () => {
    expect(composition.errors).toEqual([]);
  });

  it(`${SUPERGRAPH_FILE} matches a fresh composition`, () => {
    const committed = readOr(join(rootDir, SUPERGRAPH_FILE), '(missing file)');
    if (composition.supergraphSdl !== null && committed !== composition.supergraphSdl) {
      throw new Error(`${SUPERGRAPH_FILE} is stale: ${refresh}\n  ${firstDifference(committed, composition.supergraphSdl)}`);
    }
    expect(composition.supergraphSdl).not.toBeNull();
  });

  it('serves everything the public contract promises', () => {
    if (!composition.apiSchema) throw new Error('composition failed; see the test above');
    const contract = buildSchema(readFileSync(contractPath, 'utf8'));
    const gaps = contractGaps(contract, composition.apiSchema, EXCUSED_TYPES);
    if (gaps.length > 0) {
      throw new Error(`The supergraph API breaks the contract (${contractPath}) in ${gaps.length} place(s):\n  - ${gaps.join('\n  - ')}`);
    }
  });

  it('excuses only what the contract has and the supergraph does not serve yet', () => {
    if (!composition.apiSchema) throw new Error('composition failed; see the test above');
    const contract = buildSchema(readFileSync(contractPath, 'utf8'));
    expect(staleExcuses(contract, composition.apiSchema)).toEqual([]);
  });
});
