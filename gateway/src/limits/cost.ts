import {
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/** The arguments that say how many items a list (or a connection's edges) holds. */
const SLICING_ARGUMENTS = ['first', 'last'];

/**
 * Estimates how many values an operation can produce, before it runs: every field counts
 * once per value it resolves, and a list multiplies everything below it by its size.
 * The size of a list is its `first` argument (a literal, the request's variable, the
 * variable's default, or the argument's schema default, in that order), else
 * `defaultListSize`. A connection field's `first` sizes the lists directly inside it
 * (`edges`, `nodes`), so `products(first: 50) { edges { node { ... } } }` costs 50 nodes.
 * Fields of introspection (`__schema`, `__typename`) cost nothing: they never reach a
 * subgraph. The estimate is an upper bound: `@skip`/`@include` are not evaluated.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  defaultListSize: number,
): number {
  const operation = getOperationAST(document, operationName);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return 0;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const variableDefaults = new Map<string, number>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue?.kind === Kind.INT) {
      variableDefaults.set(definition.variable.name.value, Number(definition.defaultValue.value));
    }
  }
  const given = variables ?? {};

  const sliceSize = (node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined => {
    for (const name of SLICING_ARGUMENTS) {
      const argument = field.args.find((arg) => arg.name === name);
      if (!argument) continue;
      const value = node.arguments?.find((arg) => arg.name.value === name)?.value;
      const candidates: unknown[] = [];
      if (value?.kind === Kind.INT) candidates.push(Number(value.value));
      if (value?.kind === Kind.VARIABLE) candidates.push(given[value.name.value], variableDefaults.get(value.name.value));
      candidates.push(argument.defaultValue);
      const size = candidates.find(
        (candidate): candidate is number => typeof candidate === 'number' && Number.isFinite(candidate),
      );
      if (size !== undefined) return Math.max(0, size);
    }
    return undefined;
  };

  // Cost is linear in the number of times a selection runs, so each fragment's cost per
  // run is computed once (for each list size handed into it) and multiplied at its spreads.
  const fragmentCosts = new Map<string, number>();
  const visiting = new Set<string>();

  const costOf = (set: SelectionSetNode, parent: GraphQLCompositeType, handedSize: number | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (isCompositeType(condition)) total += costOf(selection.selectionSet, condition, handedSize);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const key = `${name}:${handedSize ?? ''}`;
        const fragment = fragments.get(name);
        const condition = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !isCompositeType(condition) || visiting.has(name)) continue;
        if (!fragmentCosts.has(key)) {
          visiting.add(name);
          fragmentCosts.set(key, costOf(fragment.selectionSet, condition, handedSize));
          visiting.delete(name);
        }
        total += fragmentCosts.get(key)!;
        continue;
      }
      if (selection.name.value.startsWith('__')) continue;
      const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
      if (!field) {
        total += 1;
        continue;
      }
      const ownSize = sliceSize(selection, field);
      const list = isListType(getNullableType(field.type));
      const items = list ? (ownSize ?? handedSize ?? defaultListSize) : 1;
      const named = getNamedType(field.type);
      const below =
        selection.selectionSet && isCompositeType(named) ? costOf(selection.selectionSet, named, list ? undefined : ownSize) : 0;
      total += items * (1 + below);
    }
    return total;
  };

  return costOf(operation.selectionSet, rootType, undefined);
}
