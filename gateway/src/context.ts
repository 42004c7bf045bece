import type { IncomingMessage } from 'node:http';
import type { BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { type AccessTokenVerifier, type Caller, remoteAddress, type RequestIdentity, revocationKeys, revocationMarkIsCurrent, serviceUnavailable } from '@storegraph/common';
import { type IdentityAssertions, unauthenticated } from './identity-assertions';

/** What every gateway operation carries: the verified caller and the header vouching for it. */
export interface GatewayContext extends BaseContext {
  caller: Caller | null;
  clientIp: string | null;
  /**
   * Signs the `x-storegraph-identity` for one subgraph call, when the call is made: an
   * assertion lives seconds (IDENTITY_ASSERTION_TTL_SECONDS), a socket hours. Throws
   * UNAUTHENTICATED once the token no longer stands, so no call is vouched for with more
   * rights than the token has at that moment.
   */
  identityHeader(): string;
  /**
   * Throws unless the caller's token still stands: unexpired and, on a socket, not known
   * to be revoked (nor left unchecked past REVOCATION_UNCHECKED_CLOSE_MS).
   */
  assertStanding(): void;
  /**
   * Why the request's Authorization was refused, when it was: the request is then served
   * as anonymous only if it consists of the mutations that let a client recover
   * (see token-recovery.ts); anything else is refused with this error.
   */
  tokenProblem: GraphQLError | null;
}

export interface ContextDependencies {
  verifier: AccessTokenVerifier;
  /** Must use the shared key prefix: users writes the revocation keys under it. */
  redis: Redis;
  assertions: IdentityAssertions;
  trustProxy: boolean;
}

/**
 * A request that presents a token must present a good one. A malformed, expired,
 * forged, foreign or revoked token is refused with 401 instead of being served as
 * anonymous: the client holds a credential it believes in, so it should refresh or sign
 * in again, and silently downgrading it would turn "my session ended" into confusing
 * empty results (`me: null`, an empty cart).
 */
const refused = unauthenticated;

/** Fail closed: without the revocation list a revoked token cannot be told from a good one. */
export function cannotCheck(): GraphQLError {
  return serviceUnavailable('Cannot check the access token right now; try again');
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The bearer token; null without an Authorization header (an empty one counts as absent,
 * as SDKs send it when signed out); throws on any other scheme or shape.
 */
export function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined || authorization.trim() === '') return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (!match) throw refused('Authorization must be "Bearer <access token>"');
  return match[1];
}

/** Socket address, or X-Forwarded-For's first (client-most) entry when a trusted proxy sets it. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = firstHeader(req.headers['x-forwarded-for'])?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return remoteAddress(req);
}

async function verifiedCaller(token: string, deps: ContextDependencies): Promise<Caller> {
  let claims;
  try {
    claims = await deps.verifier.verify(token);
  } catch {
    // jose's reason (expired, bad signature, audience) is not the client's business beyond "refresh".
    throw refused('Access token is invalid or expired');
  }
  let revokedToken: string | null, revokedFamily: string | null, complete: string | null;
  try {
    // One round trip for the token itself (logout), its login (reuse detection), and
    // whether the list is whole (a Redis restarted empty has not been refilled yet).
    [revokedToken, revokedFamily, complete] = await deps.redis.mget(
      revocationKeys.token(claims.jti),
      revocationKeys.family(claims.fam),
      revocationKeys.complete(),
    );
  } catch {
    throw cannotCheck();
  }
  if (revokedToken !== null || revokedFamily !== null) throw refused('Access token has been revoked');
  if (!(await revocationMarkIsCurrent(deps.redis, complete))) throw cannotCheck();
  return { userId: claims.sub, role: claims.role, tokenId: claims.jti, tokenExpiresAt: claims.exp, familyId: claims.fam };
}

/**
 * Establishes who calls from an Authorization value (an HTTP header, or the
 * `authorization` field of a WebSocket's connection_init payload) and the client
 * address, and signs the identity the subgraphs will trust.
 */
export function createIdentityResolver(deps: ContextDependencies) {
  return async (authorization: string | undefined, clientIp: string | null): Promise<GatewayContext> => {
    const token = bearerToken(authorization);
    const identity: RequestIdentity = {
      caller: token === null ? null : await verifiedCaller(token, deps),
      clientIp,
    };
    return deps.assertions.context(identity);
  };
}

/** The refusals a client can recover from by signing in again or refreshing (and a Redis outage). */
function isTokenProblem(err: unknown): err is GraphQLError {
  const code = err instanceof GraphQLError ? err.extensions.code : undefined;
  return code === 'UNAUTHENTICATED' || code === 'SERVICE_UNAVAILABLE';
}

/**
 * Builds the per-request context; the token is verified exactly once per HTTP request.
 * A bad token is recorded, not thrown: the request is served as anonymous if it only
 * signs in, signs up, refreshes or logs out, and refused with the problem otherwise.
 */
export function createContextFactory(deps: ContextDependencies): (req: IncomingMessage) => Promise<GatewayContext> {
  const resolve = createIdentityResolver(deps);
  return async (req) => {
    const clientIp = clientAddress(req, deps.trustProxy);
    try {
      return await resolve(firstHeader(req.headers.authorization), clientIp);
    } catch (err) {
      if (!isTokenProblem(err)) throw err;
      return deps.assertions.context({ caller: null, clientIp }, err);
    }
  };
}
