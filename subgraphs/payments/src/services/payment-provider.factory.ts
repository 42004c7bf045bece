import type { PaymentsConfig } from '../config';
import type { PaymentProvider } from './payment-provider';
import { TestPaymentProvider } from './test-payment-provider';

/** The adapter named by PAYMENT_PROVIDER; a new adapter is one more case here. */
export function createPaymentProvider(config: PaymentsConfig): PaymentProvider {
  switch (config.paymentProvider) {
    case 'test':
      return new TestPaymentProvider({ delayMs: config.paymentTestDelayMs });
  }
}
