import { randomUUID } from 'node:crypto';
import type { PaymentProvider } from '../../src/services/payment-provider';

/** What the suite needs to know about one adapter. */
export interface PaymentProviderFixture {
  provider: PaymentProvider;
  /** A token this adapter approves (in its test mode). */
  approvedToken: string;
  /** A token this adapter declines. */
  declinedToken: string;
}

/**
 * The contract every PaymentProvider adapter passes (STYLE habit 6): run it from one
 * test file per adapter. It pins down what payments relies on: a decline is an answer,
 * not an error, and both calls are idempotent per key.
 */
export function describePaymentProviderContract(adapter: string, fixture: () => PaymentProviderFixture): void {
  describe(`PaymentProvider contract: ${adapter}`, () => {
    let f: PaymentProviderFixture;
    beforeEach(() => {
      f = fixture();
    });

    const charge = (idempotencyKey: string, token: string, amountMinor = 1999) =>
      f.provider.charge({ idempotencyKey, token, amountMinor, currency: 'USD' });

    it('approves with a reference, declines with a reason', async () => {
      const approved = await charge(randomUUID(), f.approvedToken);
      expect(approved).toEqual({ status: 'approved', reference: expect.any(String) });
      const declined = await charge(randomUUID(), f.declinedToken);
      expect(declined).toEqual({ status: 'declined', reason: expect.any(String) });
      if (declined.status === 'declined') expect(declined.reason.length).toBeGreaterThan(0);
    });

    it('answers a repeated key with the first result, approved or declined', async () => {
      const key = randomUUID();
      const first = await charge(key, f.approvedToken);
      expect(await charge(key, f.approvedToken)).toEqual(first);
      const declinedKey = randomUUID();
      const declined = await charge(declinedKey, f.declinedToken);
      expect(await charge(declinedKey, f.declinedToken)).toEqual(declined);
    });

    it('answers concurrent calls with one key alike', async () => {
      const key = randomUUID();
      const results = await Promise.all([charge(key, f.approvedToken), charge(key, f.approvedToken)]);
      expect(results[1]).toEqual(results[0]);
    });

    it('gives distinct keys distinct charges', async () => {
      const [a, b] = await Promise.all([charge(randomUUID(), f.approvedToken), charge(randomUUID(), f.approvedToken)]);
      expect(a.status === 'approved' && b.status === 'approved' && a.reference !== b.reference).toBe(true);
    });

    it('refunds an approved charge once per key', async () => {
      const approved = await charge(randomUUID(), f.approvedToken, 500);
      if (approved.status !== 'approved') throw new Error('expected an approval');
      const request = { idempotencyKey: randomUUID(), reference: approved.reference, amountMinor: 500 };
      const refund = await f.provider.refund(request);
      expect(refund).toEqual({ reference: expect.any(String) });
      expect(refund.reference).not.toBe(approved.reference);
      expect(await f.provider.refund(request)).toEqual(refund);
    });

    it('rejects a refund of a charge it never made', async () => {
      await expect(
        f.provider.refund({ idempotencyKey: randomUUID(), reference: 'not-a-charge', amountMinor: 1 }),
      ).rejects.toThrow();
    });
  });
}
