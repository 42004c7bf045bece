import { callerUser, JsonHttpClient, type Caller } from '@storegraph/common';
import type { StoredShippingAddress } from '../entities';

/** One of a user's saved addresses, as users shows it to its owner. */
export interface SavedAddress extends StoredShippingAddress {
  id: string;
  isDefault: boolean;
}

/** What orders needs to know of users at checkout: the caller's address book. */
export interface AddressBook {
  /** The caller's saved addresses; empty when users does not know (or show) them. */
  addressesOf(caller: Caller): Promise<SavedAddress[]>;
}

const UNAVAILABLE = 'Checkout cannot read your addresses right now (the users service is unavailable); try again shortly';

const FIELDS = 'id addresses { id name line1 line2 city region postalCode country phone isDefault }';

/**
 * Asks users for the caller's own User as the caller (`callerUser`): `User.addresses` is
 * the owner's or an ADMIN's, and one call answers the whole address book.
 */
export class HttpAddressBook implements AddressBook {
  constructor(
    private readonly url: string,
    private readonly gatewaySecret: string,
    private readonly timeoutMs: number,
    private readonly http = new JsonHttpClient(),
  ) {}

  close(): void {
    this.http.close();
  }

  async addressesOf(caller: Caller): Promise<SavedAddress[]> {
    // Refused, reset, timed out (USERS_TIMEOUT_MS) or 502/503/504: SERVICE_UNAVAILABLE, nothing placed.
    const user = await callerUser<{ id: string; addresses: SavedAddress[] }>(this.http, {
      url: this.url,
      gatewaySecret: this.gatewaySecret,
      timeoutMs: this.timeoutMs,
      caller,
      fields: FIELDS,
      unavailable: UNAVAILABLE,
    });
    return user?.addresses ?? [];
  }
}
