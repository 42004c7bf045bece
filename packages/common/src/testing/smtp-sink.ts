import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './wait-for';

export interface DeliveredEmail {
  /** Envelope recipients, as the client gave them to RCPT TO. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Every link of the text part. */
  links: string[];
  parsed: ParsedMail;
}

/**
 * A real SMTP server (the smtp-server package) on a free port of 127.0.0.1 that keeps
 * every message it is given, parsed (mailparser): what a test asserts delivery on.
 * `refuse` makes it answer every message with a permanent error (a server that is up but
 * will not take mail); `delayMs` makes it slow.
 */
export class SmtpSink {
  readonly messages: DeliveredEmail[] = [];
  refuse = false;
  /** How long each message waits before it is accepted (a slow server). */
  delayMs = 0;
  /** Messages whose data has arrived, accepted or still waiting (delayMs) for an answer. */
  dataReceived = 0;

  private constructor(private readonly server: SMTPServer, readonly port: number) {}

  /** On `port` when given: a test that stopped one starts its successor where the client still points. */
  static async start(port = 0): Promise<SmtpSink> {
    let sink: SmtpSink | undefined;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => void accept());
        const accept = async () => {
          if (sink) sink.dataReceived += 1;
          if (sink && sink.delayMs > 0) await new Promise((r) => setTimeout(r, sink!.delayMs));
          if (sink?.refuse) {
            callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
            return;
          }
          simpleParser(Buffer.concat(chunks))
            .then((parsed) => {
              const text = parsed.text ?? '';
              sink?.messages.push({
                to: session.envelope.rcptTo.map((r) => r.address),
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                subject: parsed.subject ?? '',
                text,
                html: typeof parsed.html === 'string' ? parsed.html : '',
                links: text.match(/https?:\/\/\S+/g) ?? [],
                parsed,
              });
              callback();
            })
            .catch(callback);
        };
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const { port: bound } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
    sink = new SmtpSink(server, bound);
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The messages delivered to `address` so far. */
  to(address: string): DeliveredEmail[] {
    return this.messages.filter((m) => m.to.includes(address));
  }

  /** Waits for the `count`-th message to `address` (1 = the first) and returns it. */
  waitFor(address: string, count = 1, timeoutMs = 10_000): Promise<DeliveredEmail> {
    return waitFor(() => this.to(address)[count - 1], { timeoutMs, what: `email #${count} to ${address}` });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The `token` query parameter of a link. */
export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}
