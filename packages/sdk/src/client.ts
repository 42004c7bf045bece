import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, print, type DocumentNode } from 'graphql';
import { createClient, type ClientOptions as WsClientOptions } from 'graphql-ws';
import { applySessionFailure, applySessionResult, operationAuth } from './auth-operations';
import { StoregraphError } from './errors';
import { RefreshTokenDocument } from './generated/graphql';
import manifest from './generated/persisted-documents.json';
import { isCloseEvent, isAuthClose, liveSubscription, SocketPool } from './live-subscription';
import {
  memorySessionStorage,
  SessionKeeper,
  type ClientSession,
  type SessionEndedReason,
  type SessionStorage,
} from './session';

// Runtime code here must run in browsers and React Native as well as Node 18+: no Node
// imports, only `fetch` (injectable) and a WebSocket implementation (injectable).
//
// Two ways to hold the token:
// - session mode (the default): the client keeps the access and refresh token pair itself
//   (`sessionStorage`), stores the pair login/register/... return, renews it when a call is
//   refused for its token, and reports a session that cannot be renewed (`onSessionEnded`);
// - manual mode (`getToken` given): the app supplies the token; the client never refreshes.

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
  /**
   * Manual mode: asked before every HTTP request and every WebSocket connection, so a token
   * the app refreshed is used at once. The client then keeps no session of its own (no
   * automatic refresh; `sessionStorage` and `onSessionEnded` are unused).
   */
  getToken?: TokenSource;
  /** Session mode: where the session is kept (default: memory). See SessionStorage for browser and React Native. */
  sessionStorage?: SessionStorage;
  /**
   * Session mode: called once when the session ends, because the server refused to renew it
   * (`refresh_refused`) or this client logged out (`logged_out`): sign the user out. The same
   * as `client.session.on('ended', ...)`.
   */
  onSessionEnded?: (reason: SessionEndedReason) => void;
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
  /**
   * Runs a query or mutation; resolves to its data, rejects with StoregraphError on any error.
   * Session mode: when the gateway refuses the call's access token (HTTP 401 UNAUTHENTICATED),
   * the session is renewed (one refresh for every call failing together) and the call is made
   * once more with the new token; when it cannot be renewed the call rejects with that
   * UNAUTHENTICATED error and the session ends.
   */
  request<TResult, TVariables extends Variables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: VariablesArgument<TVariables>
  ): Promise<TResult>;
  /**
   * Starts a subscription over graphql-ws; each event's data, in order. Leaving the loop
   * (`break`, `return()`) ends the subscription; an error event rejects with StoregraphError.
   * Session mode: a socket whose token is refused or expires is reconnected with the renewed
   * token, and so is every open socket after any renewal; the subscription carries on (the
   * first event after that is the order as it is now, which may repeat the last one).
   */
  subscribe<TResult, TVariables extends Variables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: VariablesArgument<TVariables>
  ): AsyncIterableIterator<TResult>;
  /**
   * The session (session mode): its tokens, `set` for a pair obtained elsewhere, and events.
   * In manual mode (`getToken` given) its `set` and `refresh` reject: the app holds the token.
   */
  readonly session: ClientSession;
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


/** A call refused for its token: the gateway answers a bad, expired or revoked token with 401. */
function tokenRefused(error: unknown): boolean {
  return error instanceof StoregraphError && error.status === 401 && error.has('UNAUTHENTICATED');
}

function manualSession(): ClientSession {
  const refuse = () => Promise.reject(new StoregraphError('This client was created with getToken: the app holds the token'));
  return { get: async () => null, set: refuse, refresh: refuse, on: () => () => undefined };
}

export function createStoregraphClient(options: StoregraphClientOptions): StoregraphClient {
  const { url } = options;
  const fetchImpl = options.fetch ?? defaultFetch;
  const mode = options.persistedQueries ?? 'never';
  const wsUrl = options.wsUrl ?? url.replace(/^http/i, 'ws');
  const manual = options.getToken !== undefined;

  async function post(body: Record<string, unknown>, token: string | null | undefined): Promise<Answer> {
    const headers: Record<string, string> = {
      ...options.headers,
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    };
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

  /** One HTTP round (two for APQ's miss) of an operation, with `token`. */
  async function run<TResult>(prepared: Prepared, variables: Variables, token: string | null | undefined): Promise<TResult> {
    const { query, hash, operationName } = prepared;
    const base = { operationName, variables };
    if (hash === null || mode === 'never') return outcome<TResult>(await post({ ...base, query }, token));
    const hashed = await post({ ...base, extensions: persistedQueryExtension(hash) }, token);
    if (mode === 'auto' && notPersisted(hashed)) {
      return outcome<TResult>(await post({ ...base, query, extensions: persistedQueryExtension(hash) }, token));
    }
    return outcome<TResult>(hashed);
  }

  // The refresh itself goes without the (refused) access token: the refresh token proves the session.
  const refreshPrepared = prepare(RefreshTokenDocument);
  const keeper = new SessionKeeper(options.sessionStorage ?? memorySessionStorage(), async (refreshToken) => {
    const { refreshToken: pair } = await run<{ refreshToken: { accessToken: string; refreshToken: string } }>(
      refreshPrepared,
      { refreshToken },
      null,
    );
    return { accessToken: pair.accessToken, refreshToken: pair.refreshToken };
  });
  if (options.onSessionEnded) keeper.on('ended', options.onSessionEnded);

  const currentToken = async (): Promise<string | null | undefined> => (manual ? options.getToken?.() : keeper.accessToken());

  const userShouldRetry = options.wsOptions?.shouldRetry ?? isCloseEvent;
  const sockets = new SocketPool((generation) =>
    createClient({
      ...options.wsOptions,
      url: wsUrl,
      webSocketImpl: options.webSocketImpl,
      // The contract's WebSocket authentication: the token in connection_init, asked per connection.
      connectionParams: async () => {
        const token = (await currentToken()) ?? undefined;
        generation.token = token;
        generation.connected = true;
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      // Session mode renews a refused token itself; graphql-ws would retry it unchanged, with backoff.
      shouldRetry: manual ? userShouldRetry : (cause) => !isAuthClose(cause) && userShouldRetry(cause),
    }),
  );
  // Any new session (a refresh after an HTTP 401, a login) reaches open sockets at once.
  if (!manual) keeper.on('changed', (tokens) => sockets.renewIdentity(tokens?.accessToken));

  return {
    url,
    session: manual ? manualSession() : keeper,

    async request<TResult, TVariables extends Variables>(
      document: TypedDocumentNode<TResult, TVariables>,
      ...[variables]: VariablesArgument<TVariables>
    ): Promise<TResult> {
      const prepared = prepare(document);
      const vars: Variables = variables ?? {};
      const token = await currentToken();
      if (manual) return run<TResult>(prepared, vars, token);
      const auth = operationAuth(document);
      const settle = async (data: TResult): Promise<TResult> => {
        await applySessionResult(auth, keeper, data as Record<string, unknown>, vars);
        return data;
      };
      try {
        return await settle(await run<TResult>(prepared, vars, token));
      } catch (error) {
        if (auth.recovery || !token || !tokenRefused(error)) {
          await applySessionFailure(auth, keeper, error, vars);
          throw error;
        }
        const renewed = await keeper.recover(token);
        if (renewed === null) throw error;
        // Once: a renewed token refused again is the answer.
        return settle(await run<TResult>(prepared, vars, renewed));
      }
    },

    subscribe<TResult, TVariables extends Variables>(
      document: TypedDocumentNode<TResult, TVariables>,
      ...[variables]: VariablesArgument<TVariables>
    ): AsyncIterableIterator<TResult> {
      const { query, hash, operationName } = prepare(document);
      // graphql-ws always carries the text; the hash rides along for a gateway that safelists.
      const extensions = hash !== null && mode !== 'never' ? persistedQueryExtension(hash) : undefined;
      return liveSubscription<TResult>({
        sockets,
        payload: { query, operationName, variables: variables ?? {}, extensions },
        recover: manual ? undefined : (failed) => keeper.recover(failed),
      });
    },

    async dispose(): Promise<void> {
      await sockets.dispose();
    },
  };
}
