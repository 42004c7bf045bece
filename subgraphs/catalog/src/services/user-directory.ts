import { HttpCallError, IDENTITY_HEADER, JsonHttpClient, serviceUnavailable, signIdentity, type Caller, type HttpReply } from '@storegraph/common';

/** What catalog needs to know about a user: the name shown on their reviews. */
export interface UserDirectory {
  /** The caller's own display name; null when users does not know (or show) them. */
  displayNameOf(caller: Caller): Promise<string | null>;
}

/** Answers of a users subgraph that is down or overloaded, not broken: the client may retry. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);
const UNAVAILABLE = 'Reviews cannot be written right now (the users service is unavailable); try again shortly';

const ENTITIES_QUERY = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }';

interface EntitiesResponse {
  data?: { _entities: Array<{ id: string; name: string } | null> } | null;
  errors?: Array<{ message: string }>;
}

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
    const headers = { [IDENTITY_HEADER]: signIdentity(this.gatewaySecret, { caller, clientIp: null }) };
    const body = JSON.stringify({ query: ENTITIES_QUERY, variables: { r: [{ __typename: 'User', id: caller.userId }] } });
    let response: HttpReply;
    try {
      response = await this.http.post(this.url, body, headers, this.timeoutMs);
    } catch (err) {
      // Refused, reset or timed out (USERS_TIMEOUT_MS): an outage, answered SERVICE_UNAVAILABLE.
      if (err instanceof HttpCallError) throw serviceUnavailable(UNAVAILABLE, err);
      throw err;
    }
    if (UNAVAILABLE_STATUSES.has(response.status)) throw serviceUnavailable(UNAVAILABLE);
    if (response.status !== 200) throw new Error(`Users answered HTTP ${response.status}`);
    const parsed = JSON.parse(response.body) as EntitiesResponse;
    if (parsed.errors?.length || !parsed.data) {
      throw new Error(`Users lookup failed: ${parsed.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
    }
    return parsed.data._entities[0]?.name ?? null;
  }
}
