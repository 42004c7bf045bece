import { serviceUnavailable } from './db-unavailable';
import { HttpCallError, type JsonHttpClient } from './http-client';
import { IDENTITY_HEADER, signIdentity, type Caller } from './identity';
import { inSpan, SpanKind } from './tracing';

/** What a proxy or a draining service answers when it cannot serve now (not a broken answer). */
export const UNAVAILABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export interface EntitiesCall {
  /** The other subgraph's endpoint. */
  url: string;
  /** An `_entities(representations: $r)` query. */
  query: string;
  representations: Array<Record<string, unknown>>;
  /** E.g. the identity header when the entities are private. */
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Names the subgraph in the errors of a failed call ("Catalog", "Users"). */
  service: string;
  /**
   * When given, a subgraph that cannot be reached or answers 502/503/504 is
   * SERVICE_UNAVAILABLE with this message (the client may retry); otherwise a plain error.
   */
  unavailable?: string;
}

/**
 * One batched `_entities` call from a subgraph to another, as orders asks catalog for
 * prices and catalog asks users for a reviewer's name: the entities in the order of the
 * representations (null for one the other subgraph does not know or show).
 */
export function callEntities<T>(http: JsonHttpClient, call: EntitiesCall): Promise<Array<T | null>> {
  // A client span, so the other subgraph's server span hangs under the call that asked.
  return inSpan('entities-call', `entities ${call.service}`, { kind: SpanKind.CLIENT }, () => fetchEntities<T>(http, call));
}

async function fetchEntities<T>(http: JsonHttpClient, call: EntitiesCall): Promise<Array<T | null>> {
  const body = JSON.stringify({ query: call.query, variables: { r: call.representations } });
  let reply;
  try {
    reply = await http.post(call.url, body, call.headers ?? {}, call.timeoutMs);
  } catch (err) {
    if (!(err instanceof HttpCallError)) throw err;
    // Refused, reset or timed out.
    throw call.unavailable ? serviceUnavailable(call.unavailable, err) : new Error(`${call.service} unreachable at ${call.url}`, { cause: err });
  }
  if (call.unavailable && UNAVAILABLE_HTTP_STATUSES.has(reply.status)) throw serviceUnavailable(call.unavailable);
  if (reply.status !== 200) throw new Error(`${call.service} answered HTTP ${reply.status}`);
  const parsed = JSON.parse(reply.body) as { data?: { _entities: Array<T | null> } | null; errors?: Array<{ message: string }> };
  if (parsed.errors?.length || !parsed.data) {
    throw new Error(`${call.service} lookup failed: ${parsed.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  }
  return parsed.data._entities;
}

export interface CallerUserCall {
  /** Users' endpoint (USERS_URL). */
  url: string;
  gatewaySecret: string;
  timeoutMs: number;
  caller: Caller;
  /** The selection on User, e.g. `id name`. */
  fields: string;
  /** The SERVICE_UNAVAILABLE message when users cannot answer now. */
  unavailable: string;
}

/**
 * The caller's own User, asked of users through `_entities` as the caller (catalog asks a
 * reviewer's name, orders the shopper's address book): a User is private (owner or
 * ADMIN), so the call carries an identity assertion for the caller, signed with the secret
 * the gateway and every subgraph share, and users applies its usual rule. A subgraph
 * never asks about anyone but its caller. null when users does not know (or show) them.
 */
export async function callerUser<T>(http: JsonHttpClient, call: CallerUserCall): Promise<T | null> {
  const [user] = await callEntities<T>(http, {
    url: call.url,
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { ${call.fields} } } }`,
    representations: [{ __typename: 'User', id: call.caller.userId }],
    headers: { [IDENTITY_HEADER]: signIdentity(call.gatewaySecret, { caller: call.caller, clientIp: null }) },
    timeoutMs: call.timeoutMs,
    service: 'Users',
    unavailable: call.unavailable,
  });
  return user;
}
