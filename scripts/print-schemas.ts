import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { printFreshSchema } from './subgraph-schemas';
import { readSupergraphConfig } from './supergraph';

/** `npm run print-schemas`: writes each subgraph's SDL where supergraph.yaml expects it. */
async function main(): Promise<void> {
  const rootDir = resolve(__dirname, '../..');
  for (const subgraph of readSupergraphConfig(rootDir).subgraphs) {
    const sdl = await printFreshSchema(subgraph.name);
    let before = '';
    try {
      before = readFileSync(subgraph.schemaFile, 'utf8');
    } catch {
      // first print
    }
    writeFileSync(subgraph.schemaFile, sdl);
    console.log(`${before === sdl ? 'unchanged' : 'wrote    '} ${relative(rootDir, subgraph.schemaFile)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
