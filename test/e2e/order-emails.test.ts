import { SmtpSink, waitFor } from '@storegraph/common/testing';
import { CancelOrderDocument, OrderDocument } from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, createProduct, signUp, type Session, type StoregraphClient } from './support/client';

/** Fast rounds and retries, so a test sees a retry within seconds. */
const EMAIL_ENV = { EMAIL_SEND_INTERVAL_MS: '50', EMAIL_RETRY_MIN_MS: '200', EMAIL_RETRY_MAX_MS: '1000', EMAIL_RETRY_MAX_ATTEMPTS: '20' };

async function statusOf(client: StoregraphClient, id: string): Promise<string | undefined> {
  return (await client.request(OrderDocument, { id })).order?.status;
}

async function settled(client: StoregraphClient, id: string, status: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await statusOf(client, id)) === status, { what: `order ${id} ${status}`, timeoutMs });
}

/**
 * The order emails as a shopper gets them: the whole stack, the saga on real NATS, users
 * asking orders, catalog and payments about the order, a real SMTP server.
 */
describe('order emails through the saga', () => {
  let smtp: SmtpSink;
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    ({ stack, api, admin } = await startShop({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'shop@shop.example.test', ...EMAIL_ENV } }));
  });
  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
  });

  async function shopper(lines: Array<{ productId: string; quantity: number }>): Promise<Session> {
    const s = await signUp(api, 'Grace <Shopper>');
    await smtp.waitFor(s.email); // register's verification email
    for (const line of lines) await addToCart(s.client, line.productId, line.quantity);
    return s;
  }

  it('confirmed: a receipt with every line (name, quantity, unit price, line total) and the total', async () => {
    const kettle = await createProduct(admin, { name: 'Kettle <Steel> & Co', price: '19.99', stock: 10 });
    const mugs = await createProduct(admin, { name: 'Mug', price: '4.50', stock: 10 });
    const s = await shopper([
      { productId: kettle.id, quantity: 3 },
      { productId: mugs.id, quantity: 2 },
    ]);
    const orderId = await checkout(s.client, 'tok_visa');
    await settled(s.client, orderId, 'CONFIRMED');

    const mail = await smtp.waitFor(s.email, 2, 20_000);
    expect(mail.to).toEqual([s.email]);
    expect(mail.from).toBe('shop@shop.example.test');
    expect(mail.subject).toBe(`Your Storegraph order is confirmed: receipt for order ${orderId}`);
    expect(mail.text).toContain('Hello Grace <Shopper>,');
    expect(mail.text).toContain('3 x Kettle <Steel> & Co at 19.99 USD each: 59.97 USD');
    expect(mail.text).toContain('2 x Mug at 4.50 USD each: 9.00 USD');
    expect(mail.text).toContain('Total paid: 68.97 USD');
    expect(mail.html).toContain(
      '<tr><td>Kettle &lt;Steel&gt; &amp; Co</td><td align="right">3</td><td align="right">19.99 USD</td><td align="right">59.97 USD</td></tr>',
    );
    expect(mail.html).toContain('<tr><td>Mug</td><td align="right">2</td><td align="right">4.50 USD</td><td align="right">9.00 USD</td></tr>');
    expect(mail.html).toContain('<th align="right">68.97 USD</th>');
    expect(mail.html).toContain('Hello Grace &lt;Shopper&gt;,');
  });

  it('failed: the reason in words, declined and out of stock', async () => {
    const lamp = await createProduct(admin, { name: 'Lamp', price: '30.00', stock: 5 });
    const declined = await shopper([{ productId: lamp.id, quantity: 1 }]);
    const declinedId = await checkout(declined.client, 'tok_chargeDeclined');
    await settled(declined.client, declinedId, 'FAILED');
    const declinedMail = await smtp.waitFor(declined.email, 2, 20_000);
    expect(declinedMail.subject).toBe(`Your Storegraph order ${declinedId} could not be completed`);
    expect(declinedMail.text).toContain('(total 30.00 USD) could not be completed');
    expect(declinedMail.text).toContain('Your payment was declined');
    expect(declinedMail.text).not.toMatch(/no longer in stock|did not complete in time/);
    expect(declinedMail.html).toContain('<p>Your payment was declined');

    const scarce = await createProduct(admin, { name: 'Rare Vase', price: '99.00', stock: 1 });
    const tooMany = await shopper([{ productId: scarce.id, quantity: 2 }]);
    const tooManyId = await checkout(tooMany.client);
    await settled(tooMany.client, tooManyId, 'FAILED');
    const stockMail = await smtp.waitFor(tooMany.email, 2, 20_000);
    expect(stockMail.text).toContain('Some of its items were no longer in stock');
    expect(stockMail.text).toContain('(total 198.00 USD)');
    expect(stockMail.text).not.toMatch(/declined|did not complete in time/);
  });

  it('cancelled after payment: the refund amount; one email each, whatever else happens to the order', async () => {
    const chair = await createProduct(admin, { name: 'Chair', price: '45.25', stock: 5 });
    const s = await shopper([{ productId: chair.id, quantity: 2 }]);
    const orderId = await checkout(s.client);
    await settled(s.client, orderId, 'CONFIRMED');
    await smtp.waitFor(s.email, 2, 20_000); // the receipt
    await s.client.request(CancelOrderDocument, { id: orderId });
    // Cancelling again returns it unchanged and owes no second email.
    await s.client.request(CancelOrderDocument, { id: orderId });

    const mail = await smtp.waitFor(s.email, 3, 20_000);
    expect(mail.subject).toBe(`Your Storegraph order ${orderId} is cancelled`);
    expect(mail.text).toContain('(total 90.50 USD) is cancelled');
    expect(mail.text).toContain('We are refunding the 90.50 USD you paid');
    expect(mail.text).not.toContain('nothing to refund');
    expect(mail.html).toContain('We are refunding the <strong>90.50 USD</strong> you paid');
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.to(s.email)).toHaveLength(3);
  });
});

/**
 * With the SMTP server hanging (it takes the connection and never answers), orders still
 * reach CONFIRMED at the saga's pace: the emails wait in users' outbox, not in the saga.
 */
describe('order emails while the SMTP server hangs', () => {
  let smtp: SmtpSink;
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;
  // Longer than the hang: the client waits it out, so each receipt is delivered once, late.
  const SMTP_TIMEOUT_MS = 60_000;
  const HANG_MS = 20_000;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    ({ stack, api, admin } = await startShop({
      env: { SMTP_URL: smtp.url, SMTP_TIMEOUT_MS: String(SMTP_TIMEOUT_MS), ...EMAIL_ENV },
    }));
  });
  afterAll(async () => {
    await stack?.stop();
    smtp.delayMs = 0;
    await smtp?.stop();
  });

  it('checkouts confirm before any receipt could be delivered, the receipts owed meanwhile; they follow once the server answers', async () => {
    const product = await createProduct(admin, { name: 'Desk', price: '120.00', stock: 50 });
    const shoppers = await Promise.all(Array.from({ length: 5 }, () => signUp(api, 'Patient Shopper')));
    await Promise.all(shoppers.map((s) => smtp.waitFor(s.email)));
    for (const s of shoppers) await addToCart(s.client, product.id, 1);

    smtp.delayMs = HANG_MS; // from now on every message hangs before the server answers
    const hungBefore = smtp.dataReceived;
    const started = Date.now();
    const orderIds = await Promise.all(shoppers.map((s) => checkout(s.client)));
    await Promise.all(shoppers.map((s, i) => settled(s.client, orderIds[i], 'CONFIRMED', HANG_MS)));
    const confirmedInMs = Date.now() - started;
    // No receipt can have been delivered before HANG_MS: every order confirmed without one.
    expect(confirmedInMs).toBeLessThan(HANG_MS);
    expect(shoppers.every((s) => smtp.to(s.email).length === 1)).toBe(true);

    // Owed, not sent: users' consumer recorded each receipt (it may lag the saga by a moment).
    const owed = await waitFor(async () => {
      const rows = await stack.subgraphs.users.database.orm.em
        .fork()
        .execute<Array<{ status: string }>>(`select status from email_outbox where kind = 'order_confirmed' and order_id = any(?::uuid[])`, [
          `{${orderIds.join(',')}}`,
        ]);
      return rows.length === orderIds.length ? rows : undefined;
    }, { what: 'the five receipts owed' });
    expect(owed.map((r) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING', 'PENDING']);

    // The receipts did go to the server, and hang there unanswered (the sender's round
    // waits on them, so the others wait in the outbox).
    await waitFor(() => smtp.dataReceived > hungBefore, { what: 'a receipt hanging at the SMTP server' });

    // The server answers again: the hung receipts are taken, the rest follow.
    smtp.delayMs = 0;
    for (const s of shoppers) {
      const receipt = await smtp.waitFor(s.email, 2, HANG_MS + 40_000);
      expect(receipt.text).toContain('1 x Desk at 120.00 USD each: 120.00 USD');
    }
    console.log(`order emails e2e: 5 checkouts CONFIRMED in ${confirmedInMs} ms with the SMTP server hanging`);
  }, 180_000);
});
