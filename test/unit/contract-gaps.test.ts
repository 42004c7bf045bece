import { buildSchema } from 'graphql';
import { contractGaps, staleExcuses } from '../../scripts/contract';

const contract = buildSchema(`
  enum Role { CUSTOMER ADMIN }
  input Filter { search: String, inStock: Boolean }
  type User { id: ID!, role: Role!, orders(first: Int = 20, after: String): [String!]! }
  type Query { me: User, users(filter: Filter): [User!]! }
  type Subscription { changed: User! }
`);

/** The fixtures below are about everything but subscriptions: the fixture contract's is excused. */
const withoutSubscription = new Map([['Subscription', 'not under test here']]);

describe('contractGaps', () => {
  it('passes an API that serves the contract plus additions', () => {
    const api = buildSchema(`
      enum Role { CUSTOMER ADMIN SUPPORT }
      input Filter { search: String, inStock: Boolean, sort: String }
      type User { id: ID!, role: Role!, email: String, orders(first: Int = 20, after: String, status: String): [String!]! }
      type Query { me: User, users(filter: Filter): [User!]!, extra: Int }
    `);
    expect(contractGaps(contract, api, withoutSubscription)).toEqual([]);
  });

  it('names each missing type, field, argument, input field and enum value', () => {
    const api = buildSchema(`
      enum Role { CUSTOMER }
      input Filter { search: String }
      type User { id: ID!, orders(first: Int = 20): [String!]! }
      type Query { me: User, users: [User!]! }
    `);
    expect(contractGaps(contract, api, withoutSubscription)).toEqual([
      'Role: missing enum value ADMIN',
      'Filter: missing input field inStock: Boolean',
      'User: missing field role: Role!',
      'User.orders: missing argument after: String',
      'Query.users: missing argument filter: Filter',
    ]);
  });

  it('reports a type missing altogether', () => {
    const api = buildSchema('type User { id: ID!, role: String!, orders(first: Int = 20, after: String): [String!]! } type Query { me: User, users(filter: String): [User!]! }');
    expect(contractGaps(contract, api, withoutSubscription)).toEqual([
      'missing enum Role',
      'missing input type Filter',
      'User.role is String!, contract says Role!',
      'Query.users: argument filter is String, contract says Filter',
    ]);
  });

  it('reports wrong nullability, defaults and new required arguments', () => {
    const api = buildSchema(`
      enum Role { CUSTOMER ADMIN }
      input Filter { search: String!, inStock: Boolean, tenant: ID! }
      type User { id: ID, role: Role!, orders(first: Int = 10, after: String): [String]! }
      type Query { me: User!, users(filter: Filter, region: String!): [User!]! }
    `);
    expect(contractGaps(contract, api, withoutSubscription)).toEqual([
      'Filter: input field search is String!, contract says String',
      'Filter: adds required input field tenant: ID!, which contract clients do not send',
      'User.id is ID, contract says ID!',
      'User.orders is [String]!, contract says [String!]!',
      'User.orders: argument first defaults to 10, contract says 20',
      'Query.me is User!, contract says User',
      'Query.users: adds required argument region: String!, which contract clients do not send',
    ]);
  });

  it('excuses the types it is told to, and only those', () => {
    const api = buildSchema('enum Role { CUSTOMER ADMIN } input Filter { search: String, inStock: Boolean } type User { id: ID!, role: Role!, orders(first: Int = 20, after: String): [String!]! } type Query { me: User, users(filter: Filter): [User!]! }');
    expect(contractGaps(contract, api, withoutSubscription)).toEqual([]);
    expect(contractGaps(contract, api, new Map())).toEqual([
      'missing object type Subscription',
      'the subscription root type is missing, contract says Subscription',
    ]);
  });

  it('excuses single fields, arguments, input fields and enum values by name', () => {
    const api = buildSchema(`
      enum Role { CUSTOMER }
      input Filter { search: String }
      type User { id: ID!, orders(first: Int = 20): [String!]! }
      type Query { me: User, users: [User!]! }
    `);
    const excused = new Map([
      ...withoutSubscription,
      ['Role.ADMIN', 'later'],
      ['Filter.inStock', 'later'],
      ['User.role', 'later'],
      ['User.orders(after)', 'later'],
    ]);
    expect(contractGaps(contract, api, excused)).toEqual(['Query.users: missing argument filter: Filter']);
    expect(staleExcuses(contract, api, excused)).toEqual([]);
  });

  it('calls an excuse stale once the API serves it, or when the contract has no such name', () => {
    const api = buildSchema('enum Role { CUSTOMER ADMIN } type User { id: ID! } type Query { me: User }');
    const excused = new Map([['Role.ADMIN', 'done'], ['User.role', 'still missing'], ['User.nickname', 'not in the contract']]);
    expect(staleExcuses(contract, api, excused)).toEqual(['Role.ADMIN', 'User.nickname']);
  });
});
