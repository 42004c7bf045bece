import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** hash (sha256 of the document text) -> document text, as the SDK's codegen writes it. */
export type PersistedOperations = ReadonlyMap<string, string>;

export function readPersistedOperations(path: string): PersistedOperations {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(manifest));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function notInList(): GraphQLError {
  return new GraphQLError('Only operations from the persisted-operations manifest are accepted', {
    extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 400 } },
  });
}

/**
 * The safelist: with PERSISTED_OPERATIONS_ONLY on, an operation runs only if its text is
 * one the SDK was generated with. Clients may send the text, or just its hash
 * (`extensions.persistedQuery.sha256Hash`, Apollo's APQ shape), which is resolved from the
 * manifest, never from a cache a client could fill.
 */
export function safelistPlugin(operations: PersistedOperations): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        // Errors thrown here reach the client as they are (earlier hooks turn them into 500s).
        async didResolveOperation({ source }) {
          if (!operations.has(sha256(source))) throw notInList();
        },
      };
    },
  };
}

/** Apollo's APQ cache interface, answered by the manifest; clients cannot register new entries. */
export function manifestCache(operations: PersistedOperations) {
  return {
    get: async (key: string) => operations.get(key.replace(/^apq:/, '')),
    set: async () => undefined,
    delete: async () => undefined,
  };
}
