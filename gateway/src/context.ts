import type { IncomingMessage } from 'node:http';
import type { BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import {
  type AccessTokenVerifier,
  type Caller,
  remoteAddress,
  type RequestIdentity,
  revocationKeys,
  signIdentity,
} from '@storegraph/common';

/** What every gateway operation carries: the verified caller and the header vouching for it. */
export interface GatewayContext extends BaseContext {
  caller: Caller | null;
  clientIp: string | null;
  /**
   * The signed `x-storegraph-identity` value for this request, signed once here and sent
   * on every subgraph fetch of the query plan.
   */
  identityHeader: string;
}

export interface ContextDependencies {
  verifier: AccessTokenVerifier;
  /** Must use the shared key prefix: users writes the revocation keys under it. */
  redis: Redis;
  gatewaySecret: string;
  trustProxy: boolean;
}

/**
 * A request that presents a token must present a good one. A malformed, expired,
 * forged, foreign or revoked token is refused with 401 instead of being served as
 * anonymous: the client holds a credential it believes in, so it should refresh or sign
 * in again, and silently downgrading it would turn "my session ended" into confusing
 * empty results (`me: null`, an empty cart).
 */
function refused(reason: string): GraphQLError {
  return new GraphQLError(reason, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
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
  let revoked: Array<string | null>;
  try {
    // One round trip for both checks: the token itself (logout) and its login (reuse detection).
    revoked = await deps.redis.mget(revocationKeys.token(claims.jti), revocationKeys.family(claims.fam));
  } catch {
    // Fail closed: without Redis a revoked token cannot be told from a good one.
    throw new GraphQLError('Cannot check the access token right now; try again', {
      extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
    });
  }
  if (revoked.some((value) => value !== null)) throw refused('Access token has been revoked');
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
    return { ...identity, identityHeader: signIdentity(deps.gatewaySecret, identity) };
  };
}

/** Builds the per-request context; the token is verified exactly once per HTTP request. */
export function createContextFactory(deps: ContextDependencies): (req: IncomingMessage) => Promise<GatewayContext> {
  const resolve = createIdentityResolver(deps);
  return (req) => resolve(firstHeader(req.headers.authorization), clientAddress(req, deps.trustProxy));
}
