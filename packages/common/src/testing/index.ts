export * from './graphql-client';
export * from './wait-for';
export * from './test-config';
export * from './events';
export * from './identity';
export * from './dev-keys';
export * from './redis-server';
export * from './ports';
