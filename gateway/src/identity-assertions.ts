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
 * seconds, so one is signed for every subgraph call, at the moment of the call, rather
 * than once per request or socket: a query plan's later fetches may start seconds after
 * the request, and a socket lives for hours. An assertion never outlives the access token
 * it vouches for, and a caller whose token has expired gets none.
 */
export class IdentityAssertions {
  constructor(
    private readonly gatewaySecret: string,
    private readonly lifetimeSeconds: number,
  ) {}

  /** The context of a caller the gateway has just verified (or of an anonymous one). */
  context(identity: RequestIdentity, tokenProblem: GraphQLError | null = null): GatewayContext {
    const { caller } = identity;
    const assertStanding = (): void => {
      if (caller && !tokenAlive(caller)) throw unauthenticated('Access token expired');
    };
    return {
      caller,
      clientIp: identity.clientIp,
      tokenProblem,
      assertStanding,
      identityHeader: () => {
        assertStanding();
        return this.sign(identity);
      },
    };
  }

  private sign(identity: RequestIdentity): string {
    const now = Date.now();
    const { caller } = identity;
    const tokenLeft = caller ? caller.tokenExpiresAt + JWT_CLOCK_TOLERANCE_SECONDS - Math.floor(now / 1000) : Infinity;
    return signIdentity(this.gatewaySecret, identity, Math.max(1, Math.min(this.lifetimeSeconds, tokenLeft)), now);
  }
}
