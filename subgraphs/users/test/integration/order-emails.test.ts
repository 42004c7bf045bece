import { randomUUID } from 'node:crypto';
import { createLogger, EventBus, eventContracts, uuidv7, type EventEnvelope, type Payload, type Subject } from '@storegraph/common';
import { freeTcpPort, SmtpSink, testNatsNamespace, unique, waitFor } from '@storegraph/common/testing';
import { ORDER_EMAIL_MAX_EVENT_AGE_MS } from '../../src/events/handlers/order-email.handlers';
import { EmailOutbox, type EmailRow } from '../../src/mail/email-outbox';
import { testUsersConfig, UsersHarness } from '../support/users-harness';

/** Fast retries so a test sees the backoff, the retry and the parking in seconds. */
const RETRIES = {
  EMAIL_SEND_INTERVAL_MS: '50',
  EMAIL_RETRY_MIN_MS: '200',
  EMAIL_RETRY_MAX_MS: '400',
  EMAIL_RETRY_MAX_ATTEMPTS: '3',
  SMTP_TIMEOUT_MS: '2000',
};

/**
 * The shipped email end to end inside users: the event published on the real bus, the
 * consumer's inbox, email_outbox, the sender, a real SMTP server. Its event carries all
 * the email needs, so the other subgraphs are not involved (test/e2e/order-emails.test.ts
 * covers the receipts, which ask them).
 */
describe('order emails (users)', () => {
  let smtp: SmtpSink;
  let h: UsersHarness;

  async function publish<S extends Subject>(subject: S, data: Payload<S>, id: string = uuidv7()): Promise<string> {
    const { bus } = h.app.events;
    const envelope: EventEnvelope<S> = { id, subject, version: eventContracts[subject].version, occurredAt: new Date().toISOString(), data };
    // A fresh Nats-Msg-Id each time: publishing one envelope twice is a redelivery the stream does not dedupe.
    await bus.js.publish(bus.subject(subject), JSON.stringify(envelope), { msgID: `${id}:${randomUUID()}` });
    return id;
  }

  const row = async (id: string): Promise<EmailRow | null> => new EmailOutbox(h.app.database.orm.em).find(id);

  async function shopper(): Promise<{ id: string; email: string }> {
    const email = `${unique('buyer')}@storegraph.test`;
    const registered = await h.register(email, 'correct horse battery', 'Ada <Buyer>');
    await smtp.waitFor(email); // register's verification email
    return { id: registered.user.id, email };
  }

  const shipped = (userId: string, orderId = randomUUID()) => ({
    orderId,
    userId,
    carrier: 'Parcel & Co <Express>',
    trackingNumber: 'PC-123456789',
  });

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    h = await UsersHarness.start({ SMTP_URL: smtp.url, MAIL_FROM: 'shop@shop.example.test', ...RETRIES });
  });
  afterAll(async () => {
    await h?.stop();
    await smtp?.stop();
  });

  it('orders.order.shipped: one email to the shopper with the carrier and tracking number, text and HTML', async () => {
    const buyer = await shopper();
    const event = shipped(buyer.id);
    const id = await publish('orders.order.shipped', event);

    const mail = await smtp.waitFor(buyer.email, 2);
    expect(mail.to).toEqual([buyer.email]);
    expect(mail.from).toBe('shop@shop.example.test');
    expect(mail.subject).toBe(`Your Storegraph order ${event.orderId} has shipped`);
    expect(mail.text).toContain('Hello Ada <Buyer>,');
    expect(mail.text).toContain('Carrier: Parcel & Co <Express>');
    expect(mail.text).toContain('Tracking number: PC-123456789');
    // Names and carriers are others' words: text in the HTML, never markup.
    expect(mail.html).toContain('Hello Ada &lt;Buyer&gt;,');
    expect(mail.html).toContain('Carrier: <strong>Parcel &amp; Co &lt;Express&gt;</strong>');
    expect(mail.html).toContain('Tracking number: <strong>PC-123456789</strong>');
    expect(mail.parsed.messageId).toBe(`<order-email-${id}@storegraph>`);
    await waitFor(async () => (await row(id))?.status === 'SENT', { what: 'the email marked SENT' });
  });

  it('a redelivered event sends one email', async () => {
    const buyer = await shopper();
    const event = shipped(buyer.id);
    const id = uuidv7();
    const duplicatesBefore = h.app.events.consumer!.counts.duplicate;
    await publish('orders.order.shipped', event, id);
    await publish('orders.order.shipped', event, id);
    await publish('orders.order.shipped', event, id);
    await waitFor(() => h.app.events.consumer!.counts.duplicate >= duplicatesBefore + 2, { what: 'both redeliveries seen' });
    await smtp.waitFor(buyer.email, 2);
    // Give a second email every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.to(buyer.email).filter((m) => m.subject.includes(event.orderId))).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'SENT', attempts: 1 });
  });
});

describe('order emails for an account that is gone', () => {
  it('SKIPPED at once, not retried: nobody to write to', async () => {
    const smtp = await SmtpSink.start();
    const h = await UsersHarness.start({ SMTP_URL: smtp.url, ...RETRIES });
    try {
      const { bus } = h.app.events;
      const id = uuidv7();
      const data: Payload<'orders.order.shipped'> = { orderId: randomUUID(), userId: randomUUID(), carrier: 'DHL', trackingNumber: 'GONE' };
      const envelope: EventEnvelope<'orders.order.shipped'> = { id, subject: 'orders.order.shipped', version: 1, occurredAt: new Date().toISOString(), data };
      await bus.js.publish(bus.subject('orders.order.shipped'), JSON.stringify(envelope), { msgID: id });
      const outbox = new EmailOutbox(h.app.database.orm.em);
      const skipped = await waitFor(async () => {
        const r = await outbox.find(id);
        return r?.status === 'SKIPPED' ? r : undefined;
      }, { what: 'the email skipped' });
      expect(skipped).toMatchObject({ attempts: 1, lastError: `no user ${data.userId}` });
      expect(smtp.messages.filter((m) => m.subject.includes(data.orderId))).toEqual([]);
    } finally {
      await h.stop();
      await smtp.stop();
    }
  });
});

describe('order emails when the SMTP server is down', () => {
  let port: number;
  let h: UsersHarness;
  let outbox: EmailOutbox;

  async function publishShipped(userId: string): Promise<{ id: string; orderId: string }> {
    const { bus } = h.app.events;
    const id = uuidv7();
    const orderId = randomUUID();
    const data: Payload<'orders.order.shipped'> = { orderId, userId, carrier: 'DHL', trackingNumber: `JD${Date.now()}` };
    const envelope: EventEnvelope<'orders.order.shipped'> = { id, subject: 'orders.order.shipped', version: 1, occurredAt: new Date().toISOString(), data };
    await bus.js.publish(bus.subject('orders.order.shipped'), JSON.stringify(envelope), { msgID: id });
    return { id, orderId };
  }

  beforeAll(async () => {
    // Nothing listens here until a test starts an SMTP server on it.
    port = await freeTcpPort();
    h = await UsersHarness.start({ SMTP_URL: `smtp://127.0.0.1:${port}`, ...RETRIES });
    outbox = new EmailOutbox(h.app.database.orm.em);
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function buyer(): Promise<{ id: string; email: string }> {
    const email = `${unique('waiting')}@storegraph.test`;
    return { id: (await h.register(email)).user.id, email };
  }

  it('down, then up: the email is retried with backoff and arrives', async () => {
    const shopper = await buyer();
    const { id, orderId } = await publishShipped(shopper.id);
    const failing = await waitFor(async () => {
      const r = await outbox.find(id);
      return r && r.attempts >= 2 ? r : undefined;
    }, { what: 'two failed attempts' });
    expect(failing.status).toBe('PENDING');
    expect(failing.lastError).toMatch(/ECONNREFUSED|connect/i);

    const smtp = await SmtpSink.start(port);
    try {
      const mail = await waitFor(() => smtp.to(shopper.email).find((m) => m.subject.includes(orderId)), { what: 'the retried email' });
      expect(mail.text).toContain('Carrier: DHL');
      await waitFor(async () => (await outbox.find(id))?.status === 'SENT', { what: 'SENT' });
      expect(smtp.to(shopper.email).filter((m) => m.subject.includes(orderId))).toHaveLength(1);
    } finally {
      await smtp.stop();
    }
  });

  it('down past the retries: PARKED with its error, counted in /metrics, listed for an operator, sent when retried', async () => {
    const shopper = await buyer();
    const { id, orderId } = await publishShipped(shopper.id);
    const parked = await waitFor(async () => {
      const r = await outbox.find(id);
      return r?.status === 'PARKED' ? r : undefined;
    }, { what: 'the email parked', timeoutMs: 20_000 });
    expect(parked.attempts).toBe(3);
    expect(parked.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect((await outbox.list('PARKED')).map((r) => r.id)).toContain(id);

    // The sender stops trying: no attempt after the last.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await outbox.find(id))?.attempts).toBe(3);

    await waitFor(() => h.app.orderEmails.counts.parked >= 1, { what: 'the parked count refreshed' });
    const metrics = await (await fetch(new URL('/metrics', h.url))).text();
    expect(metrics).toMatch(/^storegraph_order_emails_parked{service="users"} [1-9]\d*$/m);

    // The operator's retry (npm run emails -- retry <id>) once SMTP is back.
    const smtp = await SmtpSink.start(port);
    try {
      expect(await outbox.retryParked(id)).toBe(true);
      expect(await outbox.retryParked(id)).toBe(false); // no longer parked
      const mail = await waitFor(() => smtp.to(shopper.email).find((m) => m.subject.includes(orderId)), { what: 'the email after the retry' });
      expect(mail.text).toContain('Carrier: DHL');
      await waitFor(async () => (await outbox.find(id))?.status === 'SENT', { what: 'SENT' });
    } finally {
      await smtp.stop();
    }
  });
});

describe('order emails on a store that was running before them', () => {
  it('news older than a day owes no email: deployed on a running store, users mails none of the week the stream holds', async () => {
    const bus = await EventBus.connect({ url: testUsersConfig().natsUrl, name: 'test-publisher', namespace: testNatsNamespace, logger: createLogger('test', 'error') });
    const envelope = (id: string, occurredAt: Date): EventEnvelope<'orders.order.shipped'> => ({
      id,
      subject: 'orders.order.shipped',
      version: 1,
      occurredAt: occurredAt.toISOString(),
      data: { orderId: randomUUID(), userId: randomUUID(), carrier: 'DHL', trackingNumber: 'OLD' },
    });
    let h: UsersHarness | undefined;
    try {
      await bus.ensureStreams();
      const before = uuidv7();
      await bus.js.publish(bus.subject('orders.order.shipped'), JSON.stringify(envelope(before, new Date(Date.now() - ORDER_EMAIL_MAX_EVENT_AGE_MS - 60_000))), { msgID: before });

      h = await UsersHarness.start(RETRIES);
      const after = uuidv7();
      await bus.js.publish(bus.subject('orders.order.shipped'), JSON.stringify(envelope(after, new Date())), { msgID: after });
      await waitFor(async () => (await h!.sql('select 1 from email_outbox where id = ?', [after])).length > 0, { what: 'the new event owed' });
      // The old news was consumed (its inbox mark is there) but owes nothing.
      await waitFor(async () => (await h!.sql('select 1 from processed_events where event_id = ?', [before])).length > 0, { what: 'the old event consumed' });
      expect(await h.sql('select 1 from email_outbox where id = ?', [before])).toEqual([]);
    } finally {
      await bus.close();
      await h?.stop();
    }
  });
});
