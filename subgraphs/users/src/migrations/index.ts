import type { MigrationObject } from '@mikro-orm/core';
import { CreateUsers0001 } from './0001-create-users';
import { CreateRevocations0002 } from './0002-create-revocations';
import { CreateAddresses0003 } from './0003-create-addresses';
import { EmailTokens0004 } from './0004-email-tokens';
import { AdminAndAudit0005 } from './0005-admin-and-audit';
import { OrderEmails0006 } from './0006-order-emails';
import { DefaultAddressEvents0007 } from './0007-default-address-events';

/** Applied in this order; a released migration is never edited, only followed by a new one. */
export const migrations: MigrationObject[] = [
  { name: '0001-create-users', class: CreateUsers0001 },
  { name: '0002-create-revocations', class: CreateRevocations0002 },
  { name: '0003-create-addresses', class: CreateAddresses0003 },
  { name: '0004-email-tokens', class: EmailTokens0004 },
  { name: '0005-admin-and-audit', class: AdminAndAudit0005 },
  { name: '0006-order-emails', class: OrderEmails0006 },
  { name: '0007-default-address-events', class: DefaultAddressEvents0007 },
];
