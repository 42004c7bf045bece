/**
 * An entity built from a row the code mapped by hand, for reads and guarded SQL updates
 * only (no entity manager ever flushes it): the fields become the object's own properties
 * and the entity's class its prototype, so resolvers and `instanceof` see the same object
 * as before. Neither the class's constructor nor MikroORM's setters run: the constructor's
 * defaults (a fresh UUIDv7, the current time) would be overwritten at once, and MikroORM puts
 * a change-tracking setter for every property on the prototype, which on first assignment
 * defines an accessor on the object and creates its ORM helper - for every field of every
 * row of every page read, the larger part of a mapped row's cost.
 */
export function detachedEntity<T extends object>(cls: abstract new (...args: never[]) => T, fields: { [K in keyof T]?: T[K] }): T {
  return Object.setPrototypeOf(fields, cls.prototype) as T;
}
