import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isNonNullType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  astFromValue,
  print,
} from 'graphql';

/**
 * Parts of the contract (version 2) the supergraph may lack for now, each with the issue
 * that brings it: a whole type (`Address`), a field, input field or enum value
 * (`User.emailVerified`, `OrderStatus.SHIPPED`), or an argument (`Query.products(sort)`).
 * The list only shrinks: an issue that lands removes its names. Version 2 is served
 * whole, so it is empty; a later version's names would wait here with their issue.
 */
export const EXCUSED_TYPES: ReadonlyMap<string, string> = new Map<string, string>([]);

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'object type';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input type';
  return 'scalar';
}

function defaultOf(item: GraphQLArgument | GraphQLInputField): string | null {
  if (item.defaultValue === undefined) return null;
  const ast = astFromValue(item.defaultValue, item.type);
  return ast ? print(ast) : null;
}

/** Name, exact type (nullability and lists included) and default of arguments or input fields. */
function compareInputs(
  where: string,
  what: 'argument' | 'input field',
  promised: ReadonlyArray<GraphQLArgument | GraphQLInputField>,
  served: ReadonlyArray<GraphQLArgument | GraphQLInputField>,
  excused: ReadonlyMap<string, string>,
): string[] {
  const gaps: string[] = [];
  for (const expected of promised) {
    if (excused.has(what === 'argument' ? `${where}(${expected.name})` : `${where}.${expected.name}`)) continue;
    const actual = served.find((item) => item.name === expected.name);
    if (!actual) {
      gaps.push(`${where}: missing ${what} ${expected.name}: ${String(expected.type)}`);
      continue;
    }
    if (String(actual.type) !== String(expected.type)) {
      gaps.push(`${where}: ${what} ${expected.name} is ${String(actual.type)}, contract says ${String(expected.type)}`);
    }
    const expectedDefault = defaultOf(expected);
    if (expectedDefault !== null && defaultOf(actual) !== expectedDefault) {
      gaps.push(`${where}: ${what} ${expected.name} defaults to ${defaultOf(actual) ?? 'nothing'}, contract says ${expectedDefault}`);
    }
  }
  for (const extra of served) {
    const required = isNonNullType(extra.type) && extra.defaultValue === undefined;
    if (required && !promised.some((item) => item.name === extra.name)) {
      gaps.push(`${where}: adds required ${what} ${extra.name}: ${String(extra.type)}, which contract clients do not send`);
    }
  }
  return gaps;
}

function compareFields(
  typeName: string,
  promised: Record<string, GraphQLField<unknown, unknown>>,
  served: Record<string, GraphQLField<unknown, unknown>>,
  excused: ReadonlyMap<string, string>,
): string[] {
  const gaps: string[] = [];
  for (const expected of Object.values(promised)) {
    const where = `${typeName}.${expected.name}`;
    if (excused.has(where)) continue;
    const actual = served[expected.name];
    if (!actual) {
      gaps.push(`${typeName}: missing field ${expected.name}: ${String(expected.type)}`);
      continue;
    }
    if (String(actual.type) !== String(expected.type)) {
      gaps.push(`${where} is ${String(actual.type)}, contract says ${String(expected.type)}`);
    }
    gaps.push(...compareInputs(where, 'argument', expected.args, actual.args, excused));
  }
  return gaps;
}

function compareType(expected: GraphQLNamedType, actual: GraphQLNamedType, excused: ReadonlyMap<string, string>): string[] {
  const name = expected.name;
  if (kindOf(actual) !== kindOf(expected)) return [`${name} is a ${kindOf(actual)}, contract says ${kindOf(expected)}`];
  if ((isObjectType(expected) || isInterfaceType(expected)) && (isObjectType(actual) || isInterfaceType(actual))) {
    return compareFields(name, expected.getFields(), actual.getFields(), excused);
  }
  if (isInputObjectType(expected) && isInputObjectType(actual)) {
    return compareInputs(name, 'input field', Object.values(expected.getFields()), Object.values(actual.getFields()), excused);
  }
  if (isEnumType(expected) && isEnumType(actual)) {
    return expected
      .getValues()
      .filter((value) => !actual.getValue(value.name) && !excused.has(`${name}.${value.name}`))
      .map((value) => `${name}: missing enum value ${value.name}`);
  }
  if (isUnionType(expected) && isUnionType(actual)) {
    const members = new Set(actual.getTypes().map((type) => type.name));
    return expected
      .getTypes()
      .filter((type) => !members.has(type.name))
      .map((type) => `${name}: missing union member ${type.name}`);
  }
  return [];
}

function isBuiltIn(type: GraphQLNamedType): boolean {
  return isIntrospectionType(type) || (isScalarType(type) && isSpecifiedScalarType(type));
}

/**
 * Everything the contract promises that the served API schema lacks or serves
 * differently, one readable line each (empty when the API honours the contract). Names
 * in `excused` (types, `Type.member`, `Type.field(argument)`) are skipped. Additions are allowed, except required arguments or input
 * fields the contract does not have, since they would break its clients.
 */
export function contractGaps(
  contract: GraphQLSchema,
  api: GraphQLSchema,
  excused: ReadonlyMap<string, string> = EXCUSED_TYPES,
): string[] {
  const gaps: string[] = [];
  for (const expected of Object.values(contract.getTypeMap())) {
    if (isBuiltIn(expected) || excused.has(expected.name)) continue;
    const actual = api.getType(expected.name);
    if (!actual) {
      gaps.push(`missing ${kindOf(expected)} ${expected.name}`);
      continue;
    }
    gaps.push(...compareType(expected, actual, excused));
  }
  const roots = [
    ['query', contract.getQueryType(), api.getQueryType()],
    ['mutation', contract.getMutationType(), api.getMutationType()],
    ['subscription', contract.getSubscriptionType(), api.getSubscriptionType()],
  ] as const;
  for (const [operation, expected, actual] of roots) {
    if (!expected || excused.has(expected.name)) continue;
    if (actual?.name !== expected.name) gaps.push(`the ${operation} root type is ${actual?.name ?? 'missing'}, contract says ${expected.name}`);
  }
  return gaps;
}

/**
 * The excused names the API serves after all (or that the contract does not have): an
 * issue that lands must take its names off the list, so it can only shrink.
 */
export function staleExcuses(contract: GraphQLSchema, api: GraphQLSchema, excused: ReadonlyMap<string, string> = EXCUSED_TYPES): string[] {
  const present = (schema: GraphQLSchema, key: string): boolean => {
    const match = /^([^.(]+)(?:\.([^.(]+))?(?:\(([^)]+)\))?$/.exec(key);
    if (!match) return false;
    const [, typeName, member, argument] = match;
    const type = schema.getType(typeName);
    if (!type || member === undefined) return type !== undefined && type !== null;
    if (isEnumType(type)) return type.getValue(member) !== undefined;
    if (!isObjectType(type) && !isInterfaceType(type) && !isInputObjectType(type)) return false;
    const field = type.getFields()[member];
    if (!field) return false;
    if (argument === undefined) return true;
    return 'args' in field && field.args.some((arg) => arg.name === argument);
  };
  return [...excused.keys()].filter((key) => !present(contract, key) || present(api, key));
}
