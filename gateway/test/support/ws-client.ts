import WebSocket from 'ws';
import type { GraphQLErrorShape } from '@storegraph/common/testing';

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

export interface Closed {
  code: number;
  reason: string;
}

/** What one operation over the socket ended with: its results, then an error or a complete. */
export interface Outcome {
  results: Array<{ data?: Record<string, unknown> | null; errors?: GraphQLErrorShape[] }>;
  errors?: GraphQLErrorShape[];
}

/**
 * A graphql-transport-ws client spoken by hand, so a test can do what a well-behaved
 * client library never would: stay silent, send an oversized message, open socket after
 * socket, pose (behind a trusted proxy) as another address.
 */
export class RawSocket {
  readonly closed: Promise<Closed>;
  private readonly socket: WebSocket;
  private readonly seen: Message[] = [];
  private readonly listeners = new Set<() => void>();
  private closedWith: Closed | null = null;

  constructor(httpUrl: string, headers: Record<string, string> = {}) {
    this.socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    this.socket.on('message', (data) => {
      this.seen.push(JSON.parse(String(data)) as Message);
      this.notify();
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      this.socket.on('close', (code, reason) => {
        this.closedWith = { code, reason: String(reason) };
        this.notify();
        resolve(this.closedWith);
      }),
    );
  }

  opened(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('close', () => reject(new Error('closed before opening')));
    });
  }

  async send(message: Message | string): Promise<void> {
    await this.opened();
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** connection_init; 'ack', or how the server closed the socket instead. */
  async init(payload: Record<string, unknown> = {}): Promise<'ack' | Closed> {
    await this.send({ type: 'connection_init', payload });
    const answer = await this.next((m) => m.type === 'connection_ack');
    return answer ? 'ack' : this.closedWith!;
  }

  /** Starts an operation; `outcome` resolves when it errors or completes. */
  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): { outcome: Promise<Outcome>; results: Outcome['results'] } {
    const results: Outcome['results'] = [];
    const outcome = (async (): Promise<Outcome> => {
      await this.send({ id, type: 'subscribe', payload: { query, variables } });
      for (let index = 0; ; index += 1) {
        const message = await this.next((m) => m.id === id && ['next', 'error', 'complete'].includes(m.type), index);
        if (!message) throw new Error(`socket closed during operation ${id}: ${JSON.stringify(this.closedWith)}`);
        if (message.type === 'next') results.push(message.payload as Outcome['results'][number]);
        else if (message.type === 'error') return { results, errors: message.payload as GraphQLErrorShape[] };
        else return { results };
      }
    })();
    return { outcome, results };
  }

  /** One query or mutation over the socket, to its end. */
  request(id: string, query: string, variables: Record<string, unknown> = {}): Promise<Outcome> {
    return this.subscribe(id, query, variables).outcome;
  }

  close(): Promise<Closed> {
    this.socket.close(1000);
    return this.closed;
  }

  /** The `skip`+1-th message matching `match`, waiting for it; null once the socket is closed. */
  private next(match: (message: Message) => boolean, skip = 0): Promise<Message | null> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.seen.filter(match)[skip];
        if (found || this.closedWith) {
          this.listeners.delete(check);
          resolve(found ?? null);
        }
      };
      this.listeners.add(check);
      check();
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
