import { type Caller, JWT_CLOCK_TOLERANCE_SECONDS, type RequestIdentity, signIdentity } from '@storegraph/common';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context';

export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(reason, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** True while the access token behind `caller` is within its lifetime (the verifier's tolerance included). */
export function tokenAlive(caller: Caller, now = Date.now()): boolean {
  return (caller.tokenExpiresAt + JWT_CLOCK_TOLERANCE_SECONDS) * 1000 > now;
}

/**
 * Signs the `x-storegraph-identity` assertions the subgraphs trust. An assertion lives
 * seconds, so it is signed for each unit of work (an HTTP request, an operation sent over
 * a socket, every event of a subscription) rather than once per socket: a socket lives
 * for hours. It never outlives the access token it vouches for, and a caller whose token
 * has expired gets no new one.
 */
export class IdentityAssertions {
  constructor(
    private readonly gatewaySecret: string,
    private readonly lifetimeSeconds: number,
  ) {}

  /** A context vouching for `identity` from now on; `renew()` signs again, later. */
  context(identity: RequestIdentity, tokenProblem: GraphQLError | null = null): GatewayContext {
    const { caller } = identity;
    const now = Date.now();
    if (caller && !tokenAlive(caller, now)) throw unauthenticated('Access token expired');
    const tokenLeft = caller ? caller.tokenExpiresAt + JWT_CLOCK_TOLERANCE_SECONDS - Math.floor(now / 1000) : Infinity;
    const lifetime = Math.max(1, Math.min(this.lifetimeSeconds, tokenLeft));
    return {
      caller,
      clientIp: identity.clientIp,
      tokenProblem,
      identityHeader: signIdentity(this.gatewaySecret, identity, lifetime, now),
      renew: () => this.context(identity, tokenProblem),
    };
  }
}
