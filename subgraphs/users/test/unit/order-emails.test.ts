import { ConfigError, EnvReader } from '@storegraph/common';
import { readConfig } from '../../src/config';
import type { OwedEmail } from '../../src/mail/email-outbox';
import { retryDelayMs } from '../../src/mail/order-email-sender';
import { renderOrderEmail } from '../../src/mail/order-emails';
import type { OrderFacts } from '../../src/mail/order-lookup';

const ORDER = '01a23442-3230-7958-ae0f-0d267d851d37';

const owed = (kind: OwedEmail['kind'], details: Record<string, string> = {}): OwedEmail => ({
  id: '01a23442-3439-7727-afc3-147347d0e0aa',
  kind,
  orderId: ORDER,
  userId: null,
  details,
  attempts: 1,
});

const usd = (amount: string) => ({ amount, currency: 'USD' });

function order(overrides: Partial<OrderFacts> = {}): OrderFacts {
  return {
    id: ORDER,
    userId: '0f0e0d0c-0b0a-4908-8706-050403020100',
    status: 'CONFIRMED',
    total: usd('60.97'),
    items: [
      { productId: 'a', productName: 'Pen {{total}}', quantity: 3, unitPrice: usd('0.10') },
      { productId: 'b', productName: null, quantity: 1, unitPrice: usd('60.67') },
    ],
    payment: { status: 'CAPTURED', amount: usd('60.97') },
    ...overrides,
  };
}

describe('order email templates', () => {
  it('confirmed: one line per item with an exact line total, a stand-in for a product catalog no longer names, the total', () => {
    const email = renderOrderEmail(owed('order_confirmed'), 'Ada', order());
    expect(email.subject).toBe(`Your Storegraph order is confirmed: receipt for order ${ORDER}`);
    // 3 x 0.10 is 0.30 exactly, and a value is never read as a placeholder.
    expect(email.text).toContain('3 x Pen {{total}} at 0.10 USD each: 0.30 USD\n1 x Product b at 60.67 USD each: 60.67 USD\n');
    expect(email.text).toContain('Total paid: 60.97 USD');
    expect(email.html.match(/<tr><td>/g)).toHaveLength(2);
    expect(email.text).not.toMatch(/\{\{[#/]/);
  });

  it.each([
    ['OUT_OF_STOCK', 'no longer in stock'],
    ['PAYMENT_DECLINED', 'Your payment was declined'],
    ['RESERVATION_EXPIRED', 'did not complete in time'],
  ])('failed %s: that reason in words, and only that one', (reason, words) => {
    const email = renderOrderEmail(owed('order_failed', { reason }), 'Ada', order({ status: 'FAILED' }));
    const all = ['no longer in stock', 'Your payment was declined', 'did not complete in time'];
    expect(email.text).toContain(words);
    expect(email.html).toContain(words);
    for (const other of all.filter((w) => w !== words)) {
      expect(email.text).not.toContain(other);
      expect(email.html).not.toContain(other);
    }
    expect(email.text).not.toMatch(/\n\n\n/);
  });

  it('cancelled: the refund when money was taken, the in-flight case, or nothing to refund', () => {
    const refunded = renderOrderEmail(owed('order_cancelled'), 'Ada', order({ payment: { status: 'REFUNDED', amount: usd('60.97') } }));
    expect(refunded.text).toContain('We are refunding the 60.97 USD you paid');
    expect(refunded.text).not.toMatch(/nothing to refund|still in progress/);

    const inFlight = renderOrderEmail(owed('order_cancelled'), 'Ada', order({ payment: { status: 'PENDING', amount: usd('60.97') } }));
    expect(inFlight.text).toContain('still in progress: if it goes through, we refund it in full');
    expect(inFlight.text).not.toMatch(/We are refunding|nothing to refund/);

    for (const payment of [null, { status: 'FAILED', amount: usd('60.97') }]) {
      const none = renderOrderEmail(owed('order_cancelled'), 'Ada', order({ payment }));
      expect(none.text).toContain('nothing to refund');
      expect(none.html).toContain('nothing to refund');
      expect(none.text).not.toContain('We are refunding');
    }
  });

  it('shipped: carrier and tracking number from the event, escaped in the HTML', () => {
    const email = renderOrderEmail(owed('order_shipped', { carrier: 'A&B "Post"', trackingNumber: '<1Z999>' }), 'Ada', null);
    expect(email.subject).toBe(`Your Storegraph order ${ORDER} has shipped`);
    expect(email.text).toContain('Carrier: A&B "Post"\nTracking number: <1Z999>');
    expect(email.html).toContain('A&amp;B &quot;Post&quot;');
    expect(email.html).toContain('&lt;1Z999&gt;');
  });

  it('an email about an order orders does not know is an error (retried, then parked), not an empty receipt', () => {
    expect(() => renderOrderEmail(owed('order_confirmed'), 'Ada', null)).toThrow(/not found/);
  });
});

describe('order email retries', () => {
  it('double from EMAIL_RETRY_MIN_MS up to EMAIL_RETRY_MAX_MS', () => {
    const config = { minRetryMs: 2000, maxRetryMs: 600_000 };
    expect([1, 2, 3, 4, 9, 10, 11, 50].map((n) => retryDelayMs(n, config))).toEqual([
      2000, 4000, 8000, 16_000, 512_000, 600_000, 600_000, 600_000,
    ]);
  });

  it('settings: defaults, and a maximum below the minimum refused', () => {
    expect(readConfig(new EnvReader({})).orderEmails).toEqual({
      catalogUrl: 'http://localhost:4002/graphql',
      ordersUrl: 'http://localhost:4003/graphql',
      paymentsUrl: 'http://localhost:4004/graphql',
      lookupTimeoutMs: 5000,
      sendIntervalMs: 500,
      maxAttempts: 12,
      minRetryMs: 2000,
      maxRetryMs: 600_000,
    });
    let problems: string[] = [];
    try {
      readConfig(new EnvReader({ EMAIL_RETRY_MIN_MS: '5000', EMAIL_RETRY_MAX_MS: '1000', ORDERS_URL: 'orders:4003' }));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        'EMAIL_RETRY_MAX_MS must be at least EMAIL_RETRY_MIN_MS',
        expect.stringMatching(/^ORDERS_URL must be an http\(s\) URL/),
      ]),
    );
  });
});
