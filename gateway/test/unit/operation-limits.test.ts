import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GraphQLError, Kind, parse, print, specifiedRules, validate, type OperationDefinitionNode } from 'graphql';
import { readConfig } from '../../src/config';
import { estimateCost, OperationGuard } from '../../src/limits';
import { SubscriptionPlanner } from '../../src/subscriptions/planner';

const ROOT = resolve(__dirname, '../../..');
const schema = new SubscriptionPlanner(readFileSync(resolve(ROOT, 'supergraph.graphql'), 'utf8')).schema;
const cost = (query: string, variables: Record<string, unknown> = {}, listSize = 10) =>
  estimateCost(schema, parse(query), undefined, variables, listSize);

describe('estimateCost', () => {
  it('counts each field once per value, and multiplies what a connection holds by its first', () => {
    // products 1 x (1 + edges 50 x (1 + node 1 x (1 + id 1)))
    expect(cost('{ products(first: 50) { edges { node { id } } } }')).toBe(1 + 50 * 3);
    expect(cost('{ products(first: 50) { totalCount edges { cursor } pageInfo { hasNextPage } } }')).toBe(1 + 1 + 50 * 2 + 2);
  });

  it('takes first from the variables, then the variable default, then the schema default', () => {
    const query = 'query($n: Int) { products(first: $n) { edges { node { id } } } }';
    expect(cost(query, { n: 7 })).toBe(1 + 7 * 3);
    expect(cost('query($n: Int = 5) { products(first: $n) { edges { node { id } } } }')).toBe(1 + 5 * 3);
    expect(cost(query)).toBe(1 + 20 * 3); // products(first: Int = 20)
    expect(cost('{ products { edges { node { id } } } }')).toBe(1 + 20 * 3);
  });

  it('sizes a list without first by the default list size', () => {
    expect(cost('{ categories { id name } }', {}, 10)).toBe(10 * 3);
    expect(cost('{ categories { id name } }', {}, 4)).toBe(4 * 3);
  });

  it('multiplies list sizes through nesting', () => {
    const nested = (first: number) => `{ me { orders(first: ${first}) { edges { node { items { quantity } } } } } }`;
    // items: 4 x 2 = 8; node: 9; edges: first x 10; orders: 1 + that; me: 1 + orders
    expect(cost(nested(10), {}, 4)).toBe(1 + 1 + 10 * 10);
    expect(cost(nested(100), {}, 4)).toBe(1 + 1 + 100 * 10);
    // inner orders 1 + 100 x 3; user 1 + 301; node 1 + 302; edges 100 x (1 + 303); orders + 1; me + 1
    const twice = '{ me { orders(first: 100) { edges { node { user { orders(first: 100) { edges { node { id } } } } } } } } }';
    expect(cost(twice)).toBe(30_402);
  });

  it('expands fragments at every use, and counts nothing for introspection fields', () => {
    const fragment = 'fragment P on Product { id name __typename }';
    expect(cost(`{ a: product(id: "1") { ...P } b: product(id: "2") { ...P } } ${fragment}`)).toBe(2 * 3);
    expect(cost('{ __typename products(first: 2) { edges { node { ... on Product { id } } } } }')).toBe(1 + 2 * 3);
  });
});

describe('operation counting rules', () => {
  const guard = new OperationGuard({
    maxDepth: 12,
    maxAliases: 3,
    maxRootFields: 2,
    maxDirectives: 2,
    maxTokens: 1000,
    maxCost: 1000,
    defaultListSize: 10,
  });
  const errors = (query: string) => validate(schema, parse(query), [...specifiedRules, ...guard.validationRules]).map((e) => e.message);

  it('counts aliases through fragments, once per spread', () => {
    expect(errors('{ a: categories { x: id } b: categories { y: id } }')).toEqual([
      'Operation has 4 aliases; the limit is 3 (MAX_QUERY_ALIASES)',
    ]);
    expect(errors('{ a: me { ...U } b: me { ...U } } fragment U on User { i: id }')).toEqual([
      'Operation has 4 aliases; the limit is 3 (MAX_QUERY_ALIASES)',
    ]);
  });

  it('counts root fields by response key, through fragments, without __typename', () => {
    expect(errors('{ me { id } me { name } categories { id } __typename }')).toEqual([]);
    expect(errors('{ me { id } ...Q } fragment Q on Query { categories { id } cart { subtotal { amount } } }')).toEqual([
      'Operation has 3 root fields; the limit is 2 (MAX_QUERY_ROOT_FIELDS)',
    ]);
  });

  it('counts directives of the operation, its fields and its fragments', () => {
    expect(errors('query($s: Boolean!) { me @include(if: $s) { id @skip(if: $s) } }')).toEqual([]);
    expect(errors('query($s: Boolean!) { me @include(if: $s) { ...U @skip(if: $s) } } fragment U on User { id @include(if: $s) }')).toEqual([
      'Operation has 3 directives; the limit is 2 (MAX_QUERY_DIRECTIVES)',
    ]);
  });
});

/**
 * Our own client must never be refused by a default: every operation the SDK ships is
 * checked against the defaults, with its variables' defaults and with first at the
 * largest page the contract allows (100).
 */
describe('the SDK persisted operations and the default limits', () => {
  const defaults = readConfig({ APP_MODE: 'development' }).operationLimits;
  const guard = new OperationGuard(defaults);
  const manifest = JSON.parse(readFileSync(resolve(ROOT, 'packages/sdk/src/generated/persisted-documents.json'), 'utf8')) as Record<
    string,
    string
  >;
  const operations = Object.values(manifest);

  it('has operations to check', () => {
    expect(operations.length).toBeGreaterThan(10);
  });

  it.each(operations.map((text) => [/(query|mutation|subscription) (\w+)/.exec(text)?.[2] ?? text, text]))(
    '%s is within every default limit (all but depth at half the default)',
    (_name, text) => {
      // Half the defaults: a default passes our own operations with room to spare. Depth
      // keeps its long-standing default (12), which the deepest operation (8) is under.
      const half = new OperationGuard({
        ...defaults,
        maxAliases: Math.floor(defaults.maxAliases / 2),
        maxRootFields: Math.floor(defaults.maxRootFields / 2),
        maxDirectives: Math.floor(defaults.maxDirectives / 2),
        maxTokens: Math.floor(defaults.maxTokens / 2),
        maxCost: Math.floor(defaults.maxCost / 2),
      });
      for (const limits of [guard, half]) {
        const document = parse(text, limits.parseOptions);
        expect(validate(schema, document, [...specifiedRules, ...limits.validationRules])).toEqual([]);
        const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
        // Every Int variable at 100 sets each page size (first, ordersFirst ...) to the contract's maximum.
        const intVariables = (operation.variableDefinitions ?? []).filter((v) => print(v.type).replace('!', '') === 'Int');
        const largestPages = Object.fromEntries(intVariables.map((v) => [v.variable.name.value, 100]));
        expect(limits.costError(schema, document, undefined, {})).toBeNull();
        expect(limits.costError(schema, document, undefined, largestPages)).toBeNull();
      }
    },
  );

  it('the guard itself refuses over the default cost, with the contract code', () => {
    const level = (inner: string) => `user { orders(first: 100) { edges { node { ${inner} } } } }`;
    const thrice = `{ me { orders(first: 100) { edges { node { ${level(level('id'))} } } } } }`;
    const error = guard.costError(schema, parse(thrice), undefined, {});
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error?.message).toMatch(/^Operation is estimated to cost \d+; the limit is 200000 \(MAX_QUERY_COST\)$/);
  });
});
