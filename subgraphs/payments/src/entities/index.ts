import { Payment } from './payment.entity';

export { Payment };
export { PaymentStatus } from './payment-status.enum';

/** Passed to openDatabase as classes: no folder discovery, same code compiled and under jest. */
export const entities = [Payment];
