/**
 * Every rendered object against the Kubernetes OpenAPI schemas, offline: kubernetes-models'
 * validators (types, required fields, enums), plus TypeScript's excess-property check
 * against the same models' declarations for the fields those validators let through.
 */
import { join, resolve } from 'node:path';
import { label, repoRoot, type K8sObject } from './objects';

interface Model {
  new (data: unknown): { validate(): void };
}

/** kubernetes-models lays its classes out as <apiVersion>/<Kind> (`apps/v1/Deployment`, core as `v1/Service`). */
function modelPath(o: K8sObject): string {
  return `kubernetes-models/${o.apiVersion}/${o.kind}`;
}

function typesFor(o: K8sObject): { module: string; type: string } {
  return { module: modelPath(o), type: `I${o.kind}` };
}

export function validateSchemas(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    let model: Model;
    try {
      model = (require(modelPath(o)) as Record<string, Model>)[o.kind];
      if (!model) throw new Error('no model');
    } catch {
      problems.push(`${label(o)}: no Kubernetes schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new model(o).validate();
    } catch (err) {
      problems.push(`${label(o)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return problems.concat(unknownFields(objects));
}

/**
 * Fields the schema does not know, found by TypeScript: each object becomes an object literal
 * typed with its kubernetes-models interface, and only the excess-property errors are kept
 * (types and required fields are the validators' part above).
 */
function unknownFields(objects: K8sObject[]): string[] {
  // Loaded here only: the rest of the check needs no compiler.
  const ts = require('typescript') as typeof import('typescript');
  const known = objects.filter((o) => {
    try {
      require.resolve(modelPath(o));
      return true;
    } catch {
      return false;
    }
  });
  const lines: string[] = [];
  const owner: number[] = [];
  known.forEach((o, i) => {
    const { module, type } = typesFor(o);
    lines.push(`import type { ${type} as T${i} } from '${module}';`);
    owner.push(-1);
  });
  known.forEach((o, i) => {
    const json = JSON.stringify(o, null, 1).split('\n');
    json.forEach((line, j) => {
      lines.push(j === 0 ? `export const o${i}: T${i} = ${line}` : line);
      owner.push(i);
    });
    lines.push(';');
    owner.push(i);
  });
  const root = repoRoot();
  const fileName = join(root, 'deploy', 'k8s', '__manifests__.ts');
  const source = lines.join('\n');
  const options: import('typescript').CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    resolve(name) === fileName ? ts.createSourceFile(name, source, version) : read(name, version, ...rest);
  host.fileExists = ((exists) => (name: string) => resolve(name) === fileName || exists(name))(host.fileExists.bind(host));
  const program = ts.createProgram([fileName], options, host);
  const problems: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (diagnostic.file && resolve(diagnostic.file.fileName) !== fileName) continue;
    // 2353: "Object literal may only specify known properties"; 2561: the same with "Did you mean".
    if (diagnostic.code !== 2353 && diagnostic.code !== 2561) continue;
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const o = owner[line] !== undefined && owner[line] >= 0 ? known[owner[line]] : undefined;
    // The literal is JSON, so the field's name arrives quoted: '"readinesProbe"'.
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/'"([^"]*)"'/g, "'$1'");
    problems.push(`${o ? label(o) : 'manifest'}: unknown field: ${message}`);
  }
  return problems;
}
