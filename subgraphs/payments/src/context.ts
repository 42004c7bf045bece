import type DataLoader from 'dataloader';
import type { RequestContext } from '@storegraph/common';
import type { Payment } from './entities';
import { createLatestPaymentLoader } from './loaders/latest-payment.loader';
import { createPaymentLoader } from './loaders/payment.loader';
import type { PaymentService } from './services/payment.service';

export interface PaymentsLoaders {
  payment: DataLoader<string, Payment | null>;
  /** Keyed by order id. */
  latestPayment: DataLoader<string, Payment | null>;
}

/** Built once per app; stateless, so shared by all requests. */
export interface PaymentsServices {
  payment: PaymentService;
}

export interface PaymentsContext extends RequestContext {
  loaders: PaymentsLoaders;
  services: PaymentsServices;
}

export function createContextFactory(services: PaymentsServices) {
  return (base: RequestContext): PaymentsContext => ({
    ...base,
    services,
    loaders: { payment: createPaymentLoader(base.em), latestPayment: createLatestPaymentLoader(base.em) },
  });
}
