/**
 * A few composable checks that both validate an event payload on receipt and define its
 * TypeScript type (Infer), so producer and consumer can never disagree on the shape.
 */
export type Check<T> = (value: unknown, path: string) => T;
export type Infer<C> = C extends Check<infer T> ? T : never;

export class ValidationError extends Error {}

const fail = (path: string, expected: string, value: unknown): never => {
  throw new ValidationError(`${path}: expected ${expected}, got ${JSON.stringify(value)}`);
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const check = {
  string:
    (max = 10_000): Check<string> =>
    (value, path) =>
      typeof value === 'string' && value.length <= max ? value : fail(path, `a string of at most ${max}`, value),
  uuid: (): Check<string> => (value, path) =>
    typeof value === 'string' && UUID.test(value) ? value : fail(path, 'a UUID', value),
  int:
    (min = Number.MIN_SAFE_INTEGER): Check<number> =>
    (value, path) =>
      Number.isSafeInteger(value) && (value as number) >= min ? (value as number) : fail(path, `an integer >= ${min}`, value),
  timestamp: (): Check<string> => (value, path) =>
    typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : fail(path, 'an ISO timestamp', value),
  boolean: (): Check<boolean> => (value, path) => (typeof value === 'boolean' ? value : fail(path, 'a boolean', value)),
  oneOf:
    <T extends string>(...allowed: T[]): Check<T> =>
    (value, path) =>
      allowed.includes(value as T) ? (value as T) : fail(path, `one of ${allowed.join(', ')}`, value),
  nullable:
    <T>(inner: Check<T>): Check<T | null> =>
    (value, path) =>
      value === null || value === undefined ? null : inner(value, path),
  array:
    <T>(item: Check<T>, min = 0): Check<T[]> =>
    (value, path) => {
      if (!Array.isArray(value) || value.length < min) return fail(path, `an array of at least ${min}`, value);
      return value.map((entry, i) => item(entry, `${path}[${i}]`));
    },
  object:
    <S extends Record<string, Check<unknown>>>(shape: S): Check<{ [K in keyof S]: Infer<S[K]> }> =>
    (value, path) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'an object', value);
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(shape)) out[key] = inner(record[key], `${path}.${key}`);
      return out as { [K in keyof S]: Infer<S[K]> };
    },
};
