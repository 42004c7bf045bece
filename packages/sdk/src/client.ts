import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, print, type DocumentNode } from 'graphql';
import { createClient, type Client as WsClient, type ClientOptions as WsClientOptions } from 'graphql-ws';
import { StoregraphError } from './errors';
import manifest from './generated/persisted-documents.json';

// Runtime code here must run in browsers and React Native as well as Node 18+: no Node
// imports, only `fetch` (injectable) and a WebSocket implementation (injectable).

/** The part of a `fetch` response the client reads; the standard Response satisfies it. */
export interface FetchResponseLike {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}

/** The part of the standard `fetch` the client calls: browsers', React Native's and Node's fit. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string },
) => Promise<FetchResponseLike>;

export type TokenSource = () => string | null | undefined | Promise<string | null | undefined>;

/**
 * How operations travel. The SDK's operations are listed, by sha256 of their text, in
 * `generated/persisted-documents.json`, which a gateway can enforce as a safelist.
 * - `never` (default): the operation text, which any GraphQL server accepts;
 * - `hash`: only `extensions.persistedQuery.sha256Hash`, for a gateway that holds the manifest;
 * - `auto`: Apollo's automatic persisted queries: the hash first, and the text as well when
 *   the server answers PERSISTED_QUERY_NOT_FOUND.
 * Documents not in the manifest always travel as text.
 */
export type PersistedQueriesMode = 'never' | 'hash' | 'auto';

export interface StoregraphClientOptions {
  /** The gateway's HTTP endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** The graphql-ws endpoint; default: `url` with http(s) turned into ws(s). */
  wsUrl?: string;
  /** Asked before every HTTP request and every WebSocket connection, so a refreshed token is used at once. */
  getToken?: TokenSource;
  /** Default: the global `fetch`, looked up at call time so a polyfill installed later is used. */
  fetch?: FetchLike;
  /** Sent with every HTTP request (e.g. a client name for the server's logs). */
  headers?: Record<string, string>;
  persistedQueries?: PersistedQueriesMode;
  /** A WebSocket class where there is no global one, e.g. `WebSocket` from the `ws` package on Node 20. */
  webSocketImpl?: unknown;
  /** Further graphql-ws settings (retries, keep-alive, lazy close ...). */
  wsOptions?: Omit<WsClientOptions, 'url' | 'connectionParams' | 'webSocketImpl'>;
}

type Variables = Record<string, unknown>;

/** Operations whose variables are all optional may be called without a variables argument. */
export type VariablesArgument<TVariables> = Record<string, never> extends TVariables
  ? [variables?: TVariables]
  : [variables: TVariables];

export interface StoregraphClient {
  readonly url: string;
  /** Runs a query or mutation; resolves to its data, rejects with StoregraphError on any error. */
  request<TResult, TVariables extends Variables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: VariablesArgument<TVariables>
  ): Promise<TResult>;
  /**
   * Starts a subscription over graphql-ws; each event's data, in order. Leaving the loop
   * (`break`, `return()`) ends the subscription; an error event rejects with StoregraphError.
   */
  subscribe<TResult, TVariables extends Variables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: VariablesArgument<TVariables>
  ): AsyncIterableIterator<TResult>;
  /** Closes the WebSocket, if one was opened. */
  dispose(): Promise<void>;
}

const persistedTexts: Readonly<Record<string, string | undefined>> = manifest;

interface Prepared {
  /** The exact text the manifest holds under `hash`, or the printed document. */
  query: string;
  hash: string | null;
  operationName?: string;
}

/**
 * Sends the manifest's text for a generated document, byte for byte, so the text a server
 * receives always hashes to the manifest's key (APQ checks that sha256(query) = sha256Hash).
 */
function prepare(document: DocumentNode): Prepared {
  const meta: unknown = '__meta__' in document ? document.__meta__ : undefined;
  const candidate = typeof meta === 'object' && meta !== null && 'hash' in meta ? meta.hash : undefined;
  const text = typeof candidate === 'string' ? persistedTexts[candidate] : undefined;
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const operationName = operation?.kind === Kind.OPERATION_DEFINITION ? operation.name?.value : undefined;
  return text !== undefined && typeof candidate === 'string'
    ? { query: text, hash: candidate, operationName }
    : { query: print(document), hash: null, operationName };
}

/** A parsed HTTP answer. */
interface Answer {
  body: Record<string, unknown>;
  status: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function persistedQueryExtension(hash: string): { persistedQuery: { version: 1; sha256Hash: string } } {
  return { persistedQuery: { version: 1, sha256Hash: hash } };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

const defaultFetch: FetchLike = (url, init) => {
  const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
  if (!globalFetch) {
    return Promise.reject(new StoregraphError('No global fetch here: pass `fetch` to createStoregraphClient'));
  }
  return globalFetch(url, init);
};

export function createStoregraphClient(options: StoregraphClientOptions): StoregraphClient {
  const { url } = options;
  const fetchImpl = options.fetch ?? defaultFetch;
  const mode = options.persistedQueries ?? 'never';
  const wsUrl = options.wsUrl ?? url.replace(/^http/i, 'ws');

  async function post(body: Record<string, unknown>): Promise<Answer> {
    const headers: Record<string, string> = {
      ...options.headers,
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    };
    const token = await options.getToken?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let response: FetchResponseLike;
    let text: string;
    try {
      response = await fetchImpl(url, { method: 'POST', headers, body: JSON.stringify(body) });
      text = await response.text();
    } catch (cause) {
      throw cause instanceof StoregraphError ? cause : new StoregraphError(`Network error: ${describe(cause)}`, { cause });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new StoregraphError(`HTTP ${response.status}: the answer is not GraphQL`, { status: response.status, cause });
    }
    if (!isRecord(parsed)) throw new StoregraphError(`HTTP ${response.status}: the answer is not GraphQL`, { status: response.status });
    return { body: parsed, status: response.status };
  }

  function outcome<TResult>({ body, status }: Answer): TResult {
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      throw StoregraphError.fromGraphQLErrors(body.errors, { status, data: body.data ?? undefined });
    }
    if (!isRecord(body.data)) throw new StoregraphError(`HTTP ${status}: an answer without data or errors`, { status });
    // The server validated the document against the schema the types were generated from.
    return body.data as TResult;
  }

  function notPersisted({ body }: Answer): boolean {
    return (
      Array.isArray(body.errors) &&
      body.errors.some((error) => isRecord(error) && isRecord(error.extensions) && error.extensions.code === 'PERSISTED_QUERY_NOT_FOUND')
    );
  }

  let ws: WsClient | null = null;
  function wsClient(): WsClient {
    ws ??= createClient({
      ...options.wsOptions,
      url: wsUrl,
      webSocketImpl: options.webSocketImpl,
      // The contract's WebSocket authentication: the token in connection_init, asked per connection.
      connectionParams: async () => {
        const token = await options.getToken?.();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    });
    return ws;
  }

  return {
    url,

    async request<TResult, TVariables extends Variables>(
      document: TypedDocumentNode<TResult, TVariables>,
      ...[variables]: VariablesArgument<TVariables>
    ): Promise<TResult> {
      const { query, hash, operationName } = prepare(document);
      const base = { operationName, variables: variables ?? {} };
      if (hash === null || mode === 'never') return outcome<TResult>(await post({ ...base, query }));
      const hashed = await post({ ...base, extensions: persistedQueryExtension(hash) });
      if (mode === 'auto' && notPersisted(hashed)) {
        return outcome<TResult>(await post({ ...base, query, extensions: persistedQueryExtension(hash) }));
      }
      return outcome<TResult>(hashed);
    },

    subscribe<TResult, TVariables extends Variables>(
      document: TypedDocumentNode<TResult, TVariables>,
      ...[variables]: VariablesArgument<TVariables>
    ): AsyncIterableIterator<TResult> {
      const { query, hash, operationName } = prepare(document);
      // graphql-ws always carries the text; the hash rides along for a gateway that safelists.
      const extensions = hash !== null && mode !== 'never' ? persistedQueryExtension(hash) : undefined;
      const inner = wsClient().iterate<TResult>({ query, operationName, variables: variables ?? {}, extensions });
      const stop = async (): Promise<void> => {
        await inner.return?.();
      };
      const iterator: AsyncIterableIterator<TResult> = {
        async next(): Promise<IteratorResult<TResult>> {
          let step: IteratorResult<{ data?: TResult | null; errors?: readonly unknown[] }>;
          try {
            step = await inner.next();
          } catch (cause) {
            throw subscriptionError(cause);
          }
          if (step.done) return { done: true, value: undefined };
          const { data, errors } = step.value;
          if (errors && errors.length > 0) {
            await stop();
            throw StoregraphError.fromGraphQLErrors(errors, { data: data ?? undefined });
          }
          if (data === undefined || data === null) {
            await stop();
            throw new StoregraphError('A subscription event without data or errors');
          }
          return { done: false, value: data };
        },
        async return(): Promise<IteratorResult<TResult>> {
          await stop();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },

    async dispose(): Promise<void> {
      const current = ws;
      ws = null;
      await current?.dispose();
    },
  };
}

/** graphql-ws rejects with GraphQL errors, a CloseEvent or an Error: one error type for all. */
function subscriptionError(cause: unknown): StoregraphError {
  if (cause instanceof StoregraphError) return cause;
  if (Array.isArray(cause)) return StoregraphError.fromGraphQLErrors(cause);
  if (isRecord(cause) && typeof cause.code === 'number') {
    const reason = typeof cause.reason === 'string' && cause.reason ? cause.reason : 'no reason given';
    // The gateway closes a socket whose token it refuses (4403) or whose token expired or was
    // revoked while it was open (4401): the contract's UNAUTHENTICATED, so apps branch on one code.
    const code = cause.code === 4401 || cause.code === 4403 ? 'UNAUTHENTICATED' : undefined;
    const errors = code ? [{ message: reason, code, extensions: { code, closeCode: cause.code } }] : [];
    return new StoregraphError(`Subscription socket closed (${cause.code}): ${reason}`, { cause, errors });
  }
  return new StoregraphError(`Subscription failed: ${describe(cause)}`, { cause });
}
