import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildSchema, Kind, parse, visit, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import * as sdk from '@storegraph/sdk';
import { apiSchemaSdl, OUTPUT_DIR_VARIABLE, SDK_GENERATED_DIR } from '../../codegen';
import { firstDifference, readOr } from './support/files';

/**
 * The SDK's generated files are committed (SPEC 4.7): this suite fails when they differ from
 * a fresh generation, when the manifest disagrees with the documents, or when a contract
 * operation the API serves has no SDK document.
 */
const rootDir = resolve(__dirname, '../..');
const generatedDir = join(rootDir, SDK_GENERATED_DIR);
const contractPath = resolve(rootDir, '../shared/contract/api.graphql');
const refresh = 'run `npm run codegen` and commit the result';
// The package's exports map hides its bin script from require.resolve; its folder is not hidden.
const codegenBin = join(dirname(require.resolve('@graphql-codegen/cli/package.json')), 'cjs/bin.js');



describe('generated SDK', () => {
  it('matches a fresh `npm run codegen`, file for file', async () => {
    // The real CLI with the real codegen.ts, in a child process (see OUTPUT_DIR_VARIABLE), into a temporary directory.
    const freshDir = mkdtempSync(join(tmpdir(), 'storegraph-sdk-codegen-'));
    try {
      await promisify(execFile)(process.execPath, [codegenBin, '--config', 'codegen.ts', '--silent'], {
        cwd: rootDir,
        env: { ...process.env, [OUTPUT_DIR_VARIABLE]: freshDir },
        timeout: 60_000,
      });
      const freshNames = readdirSync(freshDir).sort();
      if (freshNames.length === 0) throw new Error('codegen generated nothing: run `npm run codegen` to see why');
      const problems: string[] = [];
      for (const name of freshNames) {
        const committedPath = join(generatedDir, name);
        const committed = readOr(committedPath, '(missing file)');
        const fresh = readFileSync(join(freshDir, name), 'utf8');
        if (committed !== fresh) problems.push(`${relative(rootDir, committedPath)} is stale\n  ${firstDifference(committed, fresh)}`);
      }
      for (const name of readdirSync(generatedDir)) {
        if (!freshNames.includes(name)) problems.push(`${relative(rootDir, join(generatedDir, name))} is no longer generated: delete it`);
      }
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\n(${refresh})`);
    } finally {
      rmSync(freshDir, { recursive: true, force: true });
    }
  });

  const manifest = JSON.parse(readFileSync(join(generatedDir, 'persisted-documents.json'), 'utf8')) as Record<string, string>;

  it('keys the persisted-operations manifest by the sha256 of each text (Apollo APQ sha256Hash)', () => {
    const wrong = Object.entries(manifest).filter(([hash, text]) => createHash('sha256').update(text).digest('hex') !== hash);
    expect(wrong).toEqual([]);
    expect(Object.keys(manifest).length).toBeGreaterThan(0);
  });

  it('lists every generated operation document in the manifest', () => {
    const documents = Object.entries(sdk).filter(([name]) => name.endsWith('Document'));
    const hashes = documents.map(([name, document]) => {
      const meta: unknown = typeof document === 'object' && '__meta__' in document ? document.__meta__ : undefined;
      return [name, typeof meta === 'object' && meta !== null && 'hash' in meta ? meta.hash : undefined] as const;
    });
    expect(hashes.filter(([, hash]) => typeof hash !== 'string' || !(hash in manifest))).toEqual([]);
    expect(new Set(hashes.map(([, hash]) => hash)).size).toBe(Object.keys(manifest).length);
  });

  it('has a document for every contract operation the API serves', () => {
    const contract = buildSchema(readFileSync(contractPath, 'utf8'));
    const api = buildSchema(apiSchemaSdl());
    const used = new Set<string>();
    for (const text of Object.values(manifest)) {
      visit(parse(text), {
        OperationDefinition(operation) {
          for (const selection of operation.selectionSet.selections) {
            if (selection.kind === Kind.FIELD) used.add(`${operation.operation}.${selection.name.value}`);
          }
        },
      });
    }
    const roots = (schema: GraphQLSchema): Array<[string, GraphQLObjectType | null | undefined]> => [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
      ['subscription', schema.getSubscriptionType()],
    ];
    const served = new Set(roots(api).flatMap(([kind, type]) => Object.keys(type?.getFields() ?? {}).map((f) => `${kind}.${f}`)));
    const promised = roots(contract).flatMap(([kind, type]) => Object.keys(type?.getFields() ?? {}).map((f) => `${kind}.${f}`));
    // A promised operation the API does not serve yet is the contract test's failure, not this one's.
    expect(promised.filter((operation) => served.has(operation) && !used.has(operation))).toEqual([]);
  });
});
