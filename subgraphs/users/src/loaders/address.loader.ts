import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Address } from '../entities';
import type { AddressService } from '../services/address.service';

/** Each user's addresses (default first), one query per batch; who may see them is the resolver's call. */
export function createAddressLoader(em: EntityManager, addresses: AddressService): DataLoader<string, Address[]> {
  return new DataLoader((userIds) => addresses.listByUsers(em, userIds));
}
