import { callerUser, JsonHttpClient, type Caller } from '@storegraph/common';

/** What catalog needs to know about a user: the name shown on their reviews. */
export interface UserDirectory {
  /** The caller's own display name; null when users does not know (or show) them. */
  displayNameOf(caller: Caller): Promise<string | null>;
}

const UNAVAILABLE = 'Reviews cannot be written right now (the users service is unavailable); try again shortly';

/** Asks users for the caller's own User as the caller (`callerUser`), for its name. */
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
    const user = await callerUser<{ id: string; name: string }>(this.http, {
      url: this.url,
      gatewaySecret: this.gatewaySecret,
      timeoutMs: this.timeoutMs,
      caller,
      fields: 'id name',
      unavailable: UNAVAILABLE,
    });
    return user?.name ?? null;
  }
}
