import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** What one operation holds, fragments expanded: what the limits below are measured on. */
interface Tally {
  aliases: number;
  directives: number;
}

/**
 * Counts aliases and directives of an operation as it would execute: a fragment spread
 * counts its fragment's content again, so 10 aliases in a fragment spread 20 times are
 * 200. Each fragment is tallied once and reused (a spread-heavy document costs no more to
 * count than to read); a fragment cycle counts once and is refused by the spec's rules.
 */
function tallyOperation(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): Tally {
  const done = new Map<string, Tally>();
  const visiting = new Set<string>();
  const ofFragment = (name: string): Tally => {
    const known = done.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return { aliases: 0, directives: 0 };
    visiting.add(name);
    const tally = ofSet(fragment.selectionSet);
    tally.directives += fragment.directives?.length ?? 0;
    visiting.delete(name);
    done.set(name, tally);
    return tally;
  };
  const ofSet = (set: SelectionSetNode | undefined): Tally => {
    const tally = { aliases: 0, directives: 0 };
    for (const selection of set?.selections ?? []) {
      tally.directives += selection.directives?.length ?? 0;
      let inner: Tally;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) tally.aliases += 1;
        inner = ofSet(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = ofSet(selection.selectionSet);
      } else {
        inner = ofFragment(selection.name.value);
      }
      tally.aliases += inner.aliases;
      tally.directives += inner.directives;
    }
    return tally;
  };
  const tally = ofSet(operation.selectionSet);
  tally.directives += operation.directives?.length ?? 0;
  for (const variable of operation.variableDefinitions ?? []) tally.directives += variable.directives?.length ?? 0;
  return tally;
}

/**
 * Root fields of an operation: the distinct response keys of its root selection, through
 * fragments (two selections of one key merge into one field, hence one fetch).
 */
function countRootFields(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): number {
  const keys = new Set<string>();
  const seen = new Set<string>();
  const collect = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.name.value.startsWith('__')) keys.add(selection.alias?.value ?? selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        seen.add(fragment.name.value);
        collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return keys.size;
}

export function limitError(message: string, operation: OperationDefinitionNode): GraphQLError {
  return new GraphQLError(message, { nodes: [operation], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}

/** A validation rule that measures each operation of the document and refuses one past `max`. */
function perOperationRule(
  measure: (operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>) => number,
  describe: (count: number) => string,
): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    return {
      OperationDefinition(operation) {
        const message = describe(measure(operation, fragments));
        if (message) context.reportError(limitError(message, operation));
      },
    };
  };
}

/** Aliases repeat a field under new names: 200 aliases of one list are 200 fetches of it. */
export function aliasLimit(max: number): ValidationRule {
  return perOperationRule(
    (operation, fragments) => tallyOperation(operation, fragments).aliases,
    (count) => (count > max ? `Operation has ${count} aliases; the limit is ${max} (MAX_QUERY_ALIASES)` : ''),
  );
}

/** Every root field is a subgraph fetch of its own (a mutation's run one after another). */
export function rootFieldLimit(max: number): ValidationRule {
  return perOperationRule(countRootFields, (count) =>
    count > max ? `Operation has ${count} root fields; the limit is ${max} (MAX_QUERY_ROOT_FIELDS)` : '',
  );
}

/** Directives are validated per use; thousands of them make validation the expensive part. */
export function directiveLimit(max: number): ValidationRule {
  return perOperationRule(
    (operation, fragments) => tallyOperation(operation, fragments).directives,
    (count) => (count > max ? `Operation has ${count} directives; the limit is ${max} (MAX_QUERY_DIRECTIVES)` : ''),
  );
}
