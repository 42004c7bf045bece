import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { waitFor } from '@storegraph/common/testing';
import type { Actor } from './harness';

/**
 * One subscription over its own graphql-ws connection, as the gateway opens them: the
 * signed identity (the very header value) travels in connection_init. Everything the
 * server sends is recorded for the test to assert on.
 */
export class LiveFeed<T> {
  readonly results: Array<FormattedExecutionResult<T, unknown>> = [];
  readonly failures: unknown[] = [];
  completed = false;
  private readonly client: Client;
  private readonly unsubscribe: () => void;

  constructor(httpUrl: string, query: string, variables: Record<string, unknown>, who?: Actor) {
    this.client = createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: who?.headers ?? {},
      retryAttempts: 0,
    });
    this.unsubscribe = this.client.subscribe<T>(
      { query, variables },
      {
        next: (result) => this.results.push(result),
        error: (err) => this.failures.push(err),
        complete: () => {
          this.completed = true;
        },
      },
    );
  }

  /** The data of every result so far (a result without data would show as undefined). */
  get data(): Array<T | null | undefined> {
    return this.results.map((result) => result.data);
  }

  /** Waits until `count` results have arrived and returns them. */
  async received(count: number): Promise<Array<FormattedExecutionResult<T, unknown>>> {
    await waitFor(() => this.results.length >= count || this.failures.length > 0, { what: `${count} results` });
    if (this.failures.length > 0) throw new Error(`subscription failed: ${JSON.stringify(this.failures)}`);
    return this.results.slice(0, count);
  }

  async completion(): Promise<void> {
    await waitFor(() => this.completed, { what: 'the subscription to complete' });
  }

  /** Sends `complete` for the operation (the lazy client then closes its idle socket too). */
  stop(): void {
    this.unsubscribe();
  }

  /** Closes the socket, as a client that goes away. */
  async disconnect(): Promise<void> {
    await this.client.dispose();
  }
}
