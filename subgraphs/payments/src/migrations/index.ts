import type { MigrationObject } from '@mikro-orm/core';
import { CreatePayments0001 } from './0001-create-payments';
import { PaymentSaga0002 } from './0002-payment-saga';
import { CaptureRecovery0003 } from './0003-capture-recovery';
import { ProviderReconciliation0004 } from './0004-provider-reconciliation';

/** Applied in this order; a released migration is never edited, only followed by a new one. */
export const migrations: MigrationObject[] = [
  { name: '0001-create-payments', class: CreatePayments0001 },
  { name: '0002-payment-saga', class: PaymentSaga0002 },
  { name: '0003-capture-recovery', class: CaptureRecovery0003 },
  { name: '0004-provider-reconciliation', class: ProviderReconciliation0004 },
];
