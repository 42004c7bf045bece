export * from './bus';
export * from './consumer';
export * from './contracts';
export * from './dead-letters';
export * from './one-statement';
export * from './outbox';
export * from './validate';
export * from './runtime';
