import type { Logger } from '@storegraph/common';
import type { PaymentsConfig } from '../config';
import type { PaymentProvider } from './payment-provider';
import { TestPaymentProvider } from './test-payment-provider';

/** The adapter named by PAYMENT_PROVIDER; a new adapter is one more case here. */
export function createPaymentProvider(config: PaymentsConfig, logger: Logger): PaymentProvider {
  switch (config.paymentProvider) {
    case 'test':
      if (config.mode === 'production') {
        // Named explicitly (production has no default): allowed for a staging stack, never silent.
        logger.warn('PAYMENT_PROVIDER=test in production: the built-in test provider approves test tokens and moves no money');
      }
      return new TestPaymentProvider({ delayMs: config.paymentTestDelayMs });
  }
}
