import type { EventHandler } from '@storegraph/common';
import { applyDefaultAddress } from '../../services/default-address.replica';

/** Users announced a user's default shipping address: orders' copy for checkout, never moved backwards. */
export const defaultAddressChangedHandler: EventHandler<'users.default-address.changed'> = (tx, event) => applyDefaultAddress(tx, event);
