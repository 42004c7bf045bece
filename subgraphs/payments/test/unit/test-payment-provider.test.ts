import { randomUUID } from 'node:crypto';
import { TestPaymentProvider } from '../../src/services/test-payment-provider';
import { describePaymentProviderContract } from '../contracts/payment-provider.contract';

describePaymentProviderContract('TestPaymentProvider', () => ({
  provider: new TestPaymentProvider({ delayMs: 50 }),
  approvedToken: 'tok_visa',
  declinedToken: 'tok_chargeDeclined',
}));

describe('TestPaymentProvider', () => {
  const charge = (provider: TestPaymentProvider, token: string, idempotencyKey = randomUUID()) =>
    provider.charge({ idempotencyKey, token, amountMinor: 1000, currency: 'USD' });

  it.each([
    ['tok_visa', { status: 'approved', reference: expect.stringMatching(/^ch_test_/) }],
    ['tok_mastercard', { status: 'approved', reference: expect.stringMatching(/^ch_test_/) }],
    ['tok_chargeDeclined', { status: 'declined', reason: 'Your card was declined.' }],
    ['tok_insufficientFunds', { status: 'declined', reason: 'Your card has insufficient funds.' }],
    ['tok_whatever', { status: 'declined', reason: 'Unknown payment token' }],
    ['', { status: 'declined', reason: 'Unknown payment token' }],
  ])('answers %s as CheckoutInput documents', async (token, expected) => {
    expect(await charge(new TestPaymentProvider({ delayMs: 0 }), token)).toEqual(expected);
  });

  it('approves tok_delayed only after the configured delay', async () => {
    const started = Date.now();
    const result = await charge(new TestPaymentProvider({ delayMs: 150 }), 'tok_delayed');
    expect(result.status).toBe('approved');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('counts charges per key: replays, even concurrent ones, are not charges', async () => {
    const provider = new TestPaymentProvider({ delayMs: 50 });
    const key = randomUUID();
    await Promise.all([charge(provider, 'tok_delayed', key), charge(provider, 'tok_delayed', key)]);
    await charge(provider, 'tok_delayed', key);
    expect(provider.requestsFor(key)).toBe(3);
    expect(provider.chargesFor(key)).toBe(1);
    expect(provider.chargesFor(randomUUID())).toBe(0);
  });

  it('never refunds more than was charged', async () => {
    const provider = new TestPaymentProvider({ delayMs: 0 });
    const approved = await charge(provider, 'tok_visa');
    if (approved.status !== 'approved') throw new Error('expected an approval');
    await provider.refund({ idempotencyKey: 'r1', reference: approved.reference, amountMinor: 600 });
    await expect(provider.refund({ idempotencyKey: 'r2', reference: approved.reference, amountMinor: 600 })).rejects.toThrow(
      'exceeds',
    );
    expect(provider.refundsFor(approved.reference)).toHaveLength(1);
  });
});
