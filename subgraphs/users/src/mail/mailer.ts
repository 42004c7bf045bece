import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '@storegraph/common';
import type { MailConfig } from '../config';
import type { RenderedEmail } from './templates';

export interface OutgoingEmail extends RenderedEmail {
  to: string;
  /** The links the email carries, logged when it is written to the folder. */
  links: string[];
  /**
   * A Message-ID of our choosing (`<...@...>`): an order email sent again after a crash
   * between the SMTP server's acceptance and our record of it keeps the same one, so mail
   * systems can tell it is the same message.
   */
  messageId?: string;
}

/** SMTP connections the pool keeps: as many as the order-email sender sends at once. */
const SMTP_CONNECTIONS = 4;

/**
 * Sends emails over SMTP to SMTP_URL from MAIL_FROM (nodemailer). Without SMTP_URL
 * (development only: config refuses that in production) each email is written as an
 * .eml file to the mail folder and its links are logged, so a developer can follow them.
 */
export class Mailer {
  private readonly pending = new Set<Promise<void>>();
  /** The mail folder, made once rather than for every email (development only). */
  private folder: Promise<unknown> | null = null;

  private constructor(
    private readonly transport: Transporter,
    private readonly config: MailConfig,
    private readonly logger: Logger,
  ) {}

  static create(config: MailConfig, logger: Logger): Mailer {
    const transport = config.smtpUrl
      ? nodemailer.createTransport({
          url: config.smtpUrl,
          // A few connections kept open and reused, rather than a connection, greeting and
          // EHLO for every message: receipts go out in rounds of dozens (order-email-sender.ts).
          pool: true,
          maxConnections: SMTP_CONNECTIONS,
          connectionTimeout: config.smtpTimeoutMs,
          greetingTimeout: config.smtpTimeoutMs,
          socketTimeout: config.smtpTimeoutMs,
        })
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    return new Mailer(transport, config, logger);
  }

  get storefrontUrl(): string {
    return this.config.storefrontUrl;
  }

  /** Delivers one email now; rejects when the SMTP server refuses it or cannot be reached. */
  async send(email: OutgoingEmail): Promise<void> {
    const info = await this.transport.sendMail({
      from: this.config.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      ...(email.messageId ? { messageId: email.messageId } : {}),
    });
    if (this.config.smtpUrl) return;
    this.folder ??= mkdir(this.config.folder, { recursive: true });
    const file = join(this.config.folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^\w.-]/g, '')}.eml`);
    try {
      await this.folder;
      await writeFile(file, info.message as Buffer);
    } catch (err) {
      this.folder = null; // removed meanwhile, say: made again on the next email
      throw err;
    }
    this.logger.info('email written to the mail folder (SMTP_URL unset)', { to: email.to, subject: email.subject, file, links: email.links });
  }

  /**
   * Builds and sends an email after the caller has answered, so neither a slow or absent
   * SMTP server nor the work of building it shows in the answer (its time or its
   * outcome). A failure is logged, not retried: the user asks for a new link.
   */
  sendLater(what: string, build: () => Promise<OutgoingEmail | null>): void {
    const task = (async () => {
      const email = await build();
      if (email) await this.send(email);
    })().catch((err: unknown) => this.logger.error('email not sent', { what, err }));
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Waits for the emails sendLater still has in hand (at shutdown, and in tests). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.drain();
    this.transport.close();
  }
}
