// type-graphql and MikroORM read decorator metadata; load the polyfill before any entity.
import 'reflect-metadata';

export * from './address';
export * from './auth';
export * from './config';
export * from './db';
export * from './db-unavailable';
export * from './entities-call';
export * from './events';
export * from './errors';
export * from './federation';
export * from './http';
export * from './http-client';
export * from './identity';
export * from './ids';
export * from './infra';
export * from './jwt';
export * from './keys';
export * from './logger';
export * from './money';
export * from './pagination';
export * from './periodic-task';
export * from './rate-limits';
export * from './redis';
export * from './service';
export * from './unavailable-status';
export * from './run-service';
