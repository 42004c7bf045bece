import { callEntities, IDENTITY_HEADER, JsonHttpClient, signIdentity, type Caller } from '@storegraph/common';

/** What catalog needs to know about a user: the name shown on their reviews. */
export interface UserDirectory {
  /** The caller's own display name; null when users does not know (or show) them. */
  displayNameOf(caller: Caller): Promise<string | null>;
}

const UNAVAILABLE = 'Reviews cannot be written right now (the users service is unavailable); try again shortly';

const ENTITIES_QUERY = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }';

/**
 * Asks the users subgraph through federation's `_entities`, as the caller: a User is
 * private (owner or ADMIN), so the request carries an identity assertion for the caller
 * themselves, signed with the secret the gateway and every subgraph share, and users
 * applies its usual rule. Catalog never asks about anyone but the caller.
 */
export class HttpUserDirectory implements UserDirectory {
  constructor(
    private readonly url: string,
    private readonly gatewaySecret: string,
    private readonly timeoutMs: number,
    private readonly http = new JsonHttpClient(),
  ) {}

  close(): void {
    this.http.close();
  }

  async displayNameOf(caller: Caller): Promise<string | null> {
    // Refused, reset, timed out (USERS_TIMEOUT_MS) or 502/503/504: an outage, answered SERVICE_UNAVAILABLE.
    const [user] = await callEntities<{ id: string; name: string }>(this.http, {
      url: this.url,
      query: ENTITIES_QUERY,
      representations: [{ __typename: 'User', id: caller.userId }],
      headers: { [IDENTITY_HEADER]: signIdentity(this.gatewaySecret, { caller, clientIp: null }) },
      timeoutMs: this.timeoutMs,
      service: 'Users',
      unavailable: UNAVAILABLE,
    });
    return user?.name ?? null;
  }
}
