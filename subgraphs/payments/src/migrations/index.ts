import type { MigrationObject } from '@mikro-orm/core';
import { CreatePayments0001 } from './0001-create-payments';

/** Applied in this order; a released migration is never edited, only followed by a new one. */
export const migrations: MigrationObject[] = [{ name: '0001-create-payments', class: CreatePayments0001 }];
