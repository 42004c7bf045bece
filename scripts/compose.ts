import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeFromConfig, SUPERGRAPH_FILE } from './supergraph';

/** `npm run compose`: composes supergraph.yaml into the committed supergraph.graphql. */
function main(): void {
  const rootDir = resolve(__dirname, '../..');
  const composition = composeFromConfig(rootDir);
  if (composition.supergraphSdl === null) {
    console.error(`Composition failed (${composition.errors.length} error(s)):`);
    for (const error of composition.errors) console.error(`  - ${error}`);
    process.exit(1);
  }
  const target = join(rootDir, SUPERGRAPH_FILE);
  let before = '';
  try {
    before = readFileSync(target, 'utf8');
  } catch {
    // first composition
  }
  writeFileSync(target, composition.supergraphSdl);
  console.log(`${before === composition.supergraphSdl ? 'unchanged' : 'wrote'} ${SUPERGRAPH_FILE}`);
}

main();
